"""Reads behind the cycle pages and the home page.

Counted by the database, in as many queries whatever the number of people.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext as _

from metrics.cycles.models import Cycle, CycleEvent, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.results.closing import cycle_progress
from metrics.results.dashboards import (
    ZERO,
    BandTotal,
    assignments_in_force,
    band_order,
    figure_periods,
    money,
    person_name,
    result_counts,
    score_mean,
)
from metrics.results.models import Result
from metrics.results.periods import periods_sorted
from plans.models import Assignment, Frequency, Indicator
from plans.periods import Period

# --- cycles ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleListRow:
    period: str
    status: str
    status_label: str
    closed_at: Any  # datetime | None
    results: int


def cycles_list() -> list[CycleListRow]:
    """Every period with figures or a cycle (and the quarter of each such month), in time order.

    The cycles page and the home page read it; the figures' periods come from the loose index
    scan the dashboard uses and the result counts from its cache, so neither reads a figure or a
    result per person.
    """
    cycles = {str(c.period): c for c in Cycle.objects.all()}
    periods = set(cycles) | figure_periods()
    periods |= {str(Period.parse(p).quarter_of()) for p in periods}
    counts = result_counts()
    rows = []
    for period in periods_sorted(periods):
        cycle = cycles.get(period)
        status = cycle.status if cycle else CycleStatus.OPEN
        rows.append(
            CycleListRow(
                period=period,
                status=status,
                status_label=str(CycleStatus(status).label),
                closed_at=cycle.closed_at if cycle else None,
                results=counts.get(period, 0),
            )
        )
    return rows


# The cycle page names the teams with the most values missing, and a few people in each: a month
# nobody has started on is thousands of lines, which say no more than the counts.
MISSING_MANAGERS_SHOWN = 20
MISSING_PEOPLE_SHOWN = 10


@dataclass(frozen=True)
class PersonMissing:
    employee: str
    name: str
    indicators: list[str]


@dataclass(frozen=True)
class ManagerMissing:
    manager: str  # user name, "" for people without a manager
    name: str
    people: list[PersonMissing]
    count: int  # the values missing in the whole team, listed or not
    more_people: int = 0  # people with values missing who are not listed


@dataclass(frozen=True)
class MissingOverview:
    groups: list[ManagerMissing]  # the teams with the most values missing first
    count: int  # every value missing
    more_managers: int  # teams with values missing that are not listed
    more_count: int  # the values missing in those teams


def _assignments_missing(period: Period) -> QuerySet[Assignment]:
    """The assignments a close of ``period`` covers that lack a value, each annotated with how
    many: the figures the scope expects less those entered, counted by the database."""
    frequency = Frequency.MONTHLY if period.is_month else Frequency.QUARTERLY
    expected = (
        Indicator.objects.filter(version=OuterRef("version"), frequency=frequency)
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    present = (
        MetricEntry.objects.filter(
            assignment=OuterRef("pk"),
            period=str(period),
            value__isnull=False,
            indicator__frequency=frequency,
            indicator__version=OuterRef("version"),
        )
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    zero = Value(0, output_field=IntegerField())
    return (
        assignments_in_force(month=period.last_month())
        .annotate(missing=Coalesce(Subquery(expected), zero) - Coalesce(Subquery(present), zero))
        .filter(missing__gt=0)
    )


def _team(manager: str) -> Q:
    """The people of ``manager`` (a user name; "" for those without a manager)."""
    return Q(employee__manager__username=manager) if manager else Q(employee__manager__isnull=True)


def missing_overview(
    *, period: Period, managers: int = MISSING_MANAGERS_SHOWN, people: int = MISSING_PEOPLE_SHOWN
) -> MissingOverview:
    """What a close of ``period`` still lacks, in counts, with the ``managers`` teams that lack
    the most and the first ``people`` of each by name: the same values ``figures_missing`` lists,
    counted by the database in a fixed number of queries for any number of people."""
    missing = _assignments_missing(period)
    # One row a team (a few numbers, not a row a person), most missing first.
    teams = list(
        missing.order_by()
        .values("employee__manager__username", "employee__manager__display_name")
        .annotate(values=Sum("missing"), people=Count("pk"))
        .order_by("-values", F("employee__manager__username").asc(nulls_first=True))
    )
    shown = teams[:managers]
    if not shown:
        return MissingOverview(groups=[], count=0, more_managers=0, more_count=0)
    # The first people of each team listed, by user name, and what each of them lacks.
    rank = Window(RowNumber(), partition_by=F("employee__manager_id"), order_by=F("employee__username").asc())
    listed = list(
        missing.filter(reduce(or_, (_team(t["employee__manager__username"] or "") for t in shown)))
        .annotate(rank=rank)
        .filter(rank__lte=people)
        .select_related("employee__manager")
        .order_by("employee__username")
    )
    by_team = _people_missing(listed, period)
    groups = [
        ManagerMissing(
            manager=team["employee__manager__username"] or "",
            name=team["employee__manager__display_name"] or team["employee__manager__username"] or "",
            people=by_team.get(team["employee__manager__username"] or "", []),
            count=team["values"],
            more_people=max(team["people"] - people, 0),
        )
        for team in shown
    ]
    count = sum(team["values"] for team in teams)
    return MissingOverview(
        groups=groups,
        count=count,
        more_managers=len(teams) - len(groups),
        more_count=count - sum(group.count for group in groups),
    )


def _people_missing(listed: Sequence[Assignment], period: Period) -> dict[str, list[PersonMissing]]:
    """What each of the people of ``listed`` lacks, by team (their manager's user name, "" for none)."""
    frequency = Frequency.MONTHLY if period.is_month else Frequency.QUARTERLY
    codes: dict[int, list[tuple[int, str]]] = {}
    for indicator_id, version_id, code in Indicator.objects.filter(
        version_id__in={a.version_id for a in listed}, frequency=frequency
    ).values_list("pk", "version_id", "code"):
        codes.setdefault(version_id, []).append((indicator_id, code))
    present = set(
        MetricEntry.objects.filter(assignment__in=listed, period=str(period), value__isnull=False).values_list(
            "assignment_id", "indicator_id"
        )
    )
    by_team: dict[str, list[PersonMissing]] = {}
    for assignment in listed:
        employee = assignment.employee
        by_team.setdefault(employee.manager.username if employee.manager else "", []).append(
            PersonMissing(
                employee=employee.username,
                name=employee.display_name,
                indicators=sorted(
                    code
                    for indicator_id, code in codes.get(assignment.version_id, [])
                    if (assignment.pk, indicator_id) not in present
                ),
            )
        )
    return by_team


@dataclass(frozen=True)
class CycleSummary:
    results: int
    average: Decimal
    bonus: Decimal
    bands: list[BandTotal]


def cycle_summary(*, cycle: Cycle) -> CycleSummary:
    """The current run's results in figures: how many, per band, and the bonus they pay."""
    rows = list(
        Result.objects.filter(cycle=cycle, run=cycle.run)
        .order_by()
        .values("band")
        .annotate(count=Count("pk"), bonus=Sum("bonus"), score=Sum("score"))
    )
    bands = band_order({r["band"] for r in rows})
    by_band = {r["band"]: r for r in rows}
    results = sum(r["count"] for r in rows)
    return CycleSummary(
        results=results,
        average=score_mean(sum((r["score"] for r in rows), ZERO), results),
        bonus=money(sum((r["bonus"] for r in rows), ZERO)),
        bands=[
            BandTotal(label=label or _("No band"), count=by_band[label]["count"], bonus=money(by_band[label]["bonus"]))
            for label in bands
        ],
    )


@dataclass(frozen=True)
class EventRow:
    action: str
    run: int
    user: str
    at: Any  # datetime
    reason: str
    forced: bool


@dataclass(frozen=True)
class CyclePage:
    period: str
    is_quarter: bool
    status: str
    status_label: str
    run: int
    forced: bool
    closed_at: Any
    missing: MissingOverview
    events: list[EventRow]
    summary: CycleSummary | None
    done: int
    total: int
    months_open: list[str] = field(default_factory=list)  # a quarter's months not closed yet

    @property
    def missing_count(self) -> int:
        return self.missing.count

    @property
    def can_close(self) -> bool:
        return self.status == CycleStatus.OPEN

    @property
    def can_reopen(self) -> bool:
        return self.status == CycleStatus.CLOSED


def cycle_page(*, period: Period) -> CyclePage:
    cycle = Cycle.objects.filter(period=str(period)).first()
    status = cycle.status if cycle else CycleStatus.OPEN
    missing = missing_overview(period=period) if status == CycleStatus.OPEN else MissingOverview([], 0, 0, 0)
    months_open: list[str] = []
    if period.is_quarter and status == CycleStatus.OPEN:
        months = [str(m) for m in period.months()]
        closed = {
            str(p)
            for p in Cycle.objects.filter(period__in=months, status=CycleStatus.CLOSED).values_list("period", flat=True)
        }
        months_open = [m for m in months if m not in closed]
    events = []
    done = total = 0
    summary = None
    if cycle is not None:
        events = [
            EventRow(
                action=str(event.get_action_display()),
                run=event.run,
                user=person_name(event.user) or _("the schedule"),
                at=event.at,
                reason=event.reason,
                forced=event.forced,
            )
            for event in CycleEvent.objects.filter(cycle=cycle).select_related("user").order_by("-at", "-pk")
        ]
        done, total = cycle_progress(cycle=cycle)
        if status == CycleStatus.CLOSED:
            summary = cycle_summary(cycle=cycle)
    return CyclePage(
        period=str(period),
        is_quarter=period.is_quarter,
        status=status,
        status_label=str(CycleStatus(status).label),
        run=cycle.run if cycle else 1,
        forced=cycle.forced if cycle else False,
        closed_at=cycle.closed_at if cycle else None,
        missing=missing,
        events=events,
        summary=summary,
        done=done,
        total=total,
        months_open=months_open,
    )


def cycle_progress_data(*, period: Period) -> dict[str, Any]:
    """What the cycle page's progress bar polls: the status and the chunks done so far."""
    cycle = Cycle.objects.filter(period=str(period)).first()
    status = cycle.status if cycle else CycleStatus.OPEN
    done, total = cycle_progress(cycle=cycle) if cycle else (0, 0)
    if status == CycleStatus.CLOSED:
        done = total = max(total, 1)
    return {
        "period": str(period),
        "status": status,
        "status_label": str(CycleStatus(status).label),
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 0,
    }


# --- the home page ------------------------------------------------------------------------------
