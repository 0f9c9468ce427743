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
    Exists,
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
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metrics.cycles.models import Cycle, CycleEvent, CycleStatus, PartStatus
from metrics.figures.models import MetricEntry
from metrics.results.cache import cached
from metrics.results.closing import cycle_progress
from metrics.results.dashboards import (
    DASHBOARD_CACHE_SECONDS,
    ZERO,
    BandTotal,
    assignments_in_force,
    band_order,
    figure_periods,
    money,
    person_name,
    result_counts,
    results_stamp,
    score_mean,
)
from metrics.results.models import Result
from metrics.results.parts import Selection, selection_describe
from metrics.results.period_flags import FlagCount, period_flag_counts
from metrics.results.periods import periods_sorted
from people.selectors import by_name
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
    is_year: bool = False


def cycles_list() -> list[CycleListRow]:
    """Every period with figures or a cycle (and the quarter and the year of each such month), in time order.

    The cycles page and the home page read it; the figures' periods come from the loose index
    scan the dashboard uses and the result counts from its cache, so neither reads a figure or a
    result per person.
    """
    cycles = {str(c.period): c for c in Cycle.objects.all()}
    periods = set(cycles) | figure_periods()
    parsed = [Period.parse(p) for p in periods]
    periods |= {str(p.quarter_of()) for p in parsed if not p.is_year} | {str(p.year_of()) for p in parsed}
    counts = result_counts()
    rows = []
    for period in periods_sorted(periods):
        cycle = cycles.get(period)
        status = cycle.status if cycle else CycleStatus.OPEN
        rows.append(
            CycleListRow(
                period=period,
                status=status,
                status_label=cycle_status_label(
                    status, closed_in_part=status == CycleStatus.OPEN and counts.get(period, 0) > 0
                ),
                closed_at=cycle.closed_at if cycle else None,
                results=counts.get(period, 0),
                is_year="-" not in period,
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


def _assignments_counted(period: Period) -> QuerySet[Assignment]:
    """The assignments of the people assigned in ``period``, each annotated with how many values
    a close lacks (``missing``: the figures expected less those entered, counted by the database;
    a year has no figures of its own, so none) and whether a close has scored the person already
    (``closed``)."""
    closed = Result.objects.filter(period=str(period), employee=OuterRef("employee"), superseded_at__isnull=True)
    zero = Value(0, output_field=IntegerField())
    if period.is_year:
        return assignments_in_force(month=period.last_month()).annotate(missing=zero, closed=Exists(closed))
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
    return assignments_in_force(month=period.last_month()).annotate(
        missing=Coalesce(Subquery(expected), zero) - Coalesce(Subquery(present), zero), closed=Exists(closed)
    )


def _assignments_missing(period: Period) -> QuerySet[Assignment]:
    """The assignments a close of ``period`` still covers that lack a value, with how many."""
    return _assignments_counted(period).filter(Q(missing__gt=0), Q(closed=False))


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
    # The first people of each team listed, by name, and what each of them lacks.
    rank = Window(
        RowNumber(), partition_by=F("employee__manager_id"), order_by=[F(key).asc() for key in by_name("employee__")]
    )
    listed = list(
        missing.filter(reduce(or_, (_team(t["employee__manager__username"] or "") for t in shown)))
        .annotate(rank=rank)
        .filter(rank__lte=people)
        .select_related("employee__manager")
        .order_by(*by_name("employee__"))
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
class PartCount:
    """How many people of a department or a plan are closed, open with every figure in, or open
    with figures missing (SPEC.md section 8)."""

    key: str  # what a close of part of the period names: a department's name, a plan's code
    label: str
    closed: int
    complete: int
    missing: int

    @property
    def open(self) -> int:
        return self.complete + self.missing


@dataclass(frozen=True)
class CycleBreakdown:
    departments: list[PartCount]
    plans: list[PartCount]

    @property
    def closed(self) -> int:
        return sum(row.closed for row in self.plans)

    @property
    def open(self) -> int:
        return sum(row.open for row in self.plans)

    @property
    def complete(self) -> int:
        return sum(row.complete for row in self.plans)


def cycle_breakdown(*, period: Period) -> CycleBreakdown:
    """Who of the period is closed and who is still open, by department and by plan: two queries
    that the database counts, whatever the number of people."""
    counted = _assignments_counted(period).order_by()
    counts = {
        "closed_count": Count("pk", filter=Q(closed=True)),
        "complete_count": Count("pk", filter=Q(closed=False, missing__lte=0)),
        "missing_count": Count("pk", filter=Q(closed=False, missing__gt=0)),
    }
    departments = counted.values("employee__department__name").annotate(**counts)
    plans = counted.values("version__template__code", "version__template__name").annotate(**counts)

    def row(key: str, label: str, values: dict[str, Any]) -> PartCount:
        return PartCount(key, label, values["closed_count"], values["complete_count"], values["missing_count"])

    return CycleBreakdown(
        departments=sorted(
            (
                row(d["employee__department__name"] or "", d["employee__department__name"] or _("No department"), d)
                for d in departments
            ),
            key=lambda r: (not r.key, r.label),
        ),
        plans=sorted(
            (row(p["version__template__code"], p["version__template__name"], p) for p in plans),
            key=lambda r: r.label,
        ),
    )


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
    who: str = ""  # whom a close of part of the period was of


@dataclass(frozen=True)
class CyclePage:
    period: str
    is_quarter: bool
    status: str
    status_label: str
    run: int
    forced: bool
    is_year: bool
    closed_at: Any
    missing: MissingOverview
    events: list[EventRow]
    summary: CycleSummary | None
    done: int
    total: int
    months_open: list[str] = field(default_factory=list)  # a quarter's months (a year's quarters) not closed yet
    breakdown: CycleBreakdown | None = None  # while open: who is closed, who is not
    under_way: str = ""  # whom the close requested or under way is of
    flags: list[FlagCount] = field(default_factory=list)  # the flags of its results, in the plans' words

    @property
    def missing_count(self) -> int:
        return self.missing.count

    @property
    def closed_in_part(self) -> bool:
        return self.status == CycleStatus.OPEN and self.breakdown is not None and self.breakdown.closed > 0

    @property
    def can_close(self) -> bool:
        return self.status == CycleStatus.OPEN and not self.under_way

    @property
    def can_reopen(self) -> bool:
        return self.status == CycleStatus.CLOSED or (self.closed_in_part and not self.under_way)


def cycle_status_label(status: str, *, closed_in_part: bool) -> str:
    """A cycle's status in words; an open one that some close has scored is closed in part."""
    return str(_("Closed in part")) if closed_in_part else str(CycleStatus(status).label)


def _event_by(event: CycleEvent) -> str:
    """Who asked: a person, an integration through its API token, or else the schedule."""
    if event.user is not None:
        return person_name(event.user)
    if event.via:
        return _("API token “%(name)s”") % {"name": event.via}
    return str(_("the schedule"))


def _events(cycle: Cycle) -> list[EventRow]:
    return [
        EventRow(
            action=str(event.get_action_display()),
            run=event.run,
            user=_event_by(event),
            at=event.at,
            reason=event.reason,
            forced=event.forced,
            who="" if event.part is None or event.part.everyone else selection_describe(Selection.of(event.part)),
        )
        for event in CycleEvent.objects.filter(cycle=cycle).select_related("user", "part").order_by("-at", "-pk")
    ]


def cycle_page(*, period: Period) -> CyclePage:
    cycle = Cycle.objects.filter(period=str(period)).first()
    status = cycle.status if cycle else CycleStatus.OPEN
    missing = missing_overview(period=period) if status == CycleStatus.OPEN else MissingOverview([], 0, 0, 0)
    months_open: list[str] = []
    if not period.is_month and status == CycleStatus.OPEN:
        months = [str(m) for m in (period.months() if period.is_quarter else period.quarters())]
        closed = {
            str(p)
            for p in Cycle.objects.filter(period__in=months, status=CycleStatus.CLOSED).values_list("period", flat=True)
        }
        months_open = [m for m in months if m not in closed]
    events: list[EventRow] = []
    done = total = 0
    summary = None
    under_way = ""
    flags: list[FlagCount] = []
    if cycle is not None:
        events = _events(cycle)
        done, total = cycle_progress(cycle=cycle)
        if Result.objects.filter(cycle=cycle, run=cycle.run).exists():
            # Counted once per close or reopen (each writes an event): 30 ms at 100,000 people.
            summary = cached(
                lambda: cycle_summary(cycle=cycle),
                "cycle-summary",
                cycle.pk,
                cycle.run,
                *results_stamp(),
                seconds=DASHBOARD_CACHE_SECONDS,
            )
            # In the page's language (the product's words for the flags a plan does not label).
            flags = cached(
                lambda: [f for f in period_flag_counts(period=period).flags if f.count],
                "cycle-flags",
                cycle.pk,
                cycle.run,
                get_language(),
                *results_stamp(),
                seconds=DASHBOARD_CACHE_SECONDS,
            )
        part = cycle.parts.filter(run=cycle.run, status__in=[PartStatus.REQUESTED, PartStatus.CLOSING]).first()
        under_way = selection_describe(Selection.of(part)) if part else ""
    breakdown = cycle_breakdown(period=period) if status != CycleStatus.CLOSED else None
    in_part = status == CycleStatus.OPEN and breakdown is not None and breakdown.closed > 0
    return CyclePage(
        period=str(period),
        is_quarter=period.is_quarter,
        is_year=period.is_year,
        status=status,
        status_label=cycle_status_label(status, closed_in_part=in_part),
        run=cycle.run if cycle else 1,
        forced=cycle is not None and cycle.parts.filter(run=cycle.run, forced=True).exists(),
        closed_at=cycle.closed_at if cycle else None,
        missing=missing,
        events=events,
        summary=summary,
        done=done,
        total=total,
        months_open=months_open,
        breakdown=breakdown,
        under_way=under_way,
        flags=flags,
    )


def cycle_progress_data(*, period: Period) -> dict[str, Any]:
    """What the cycle page's progress bar polls: the status and the chunks done so far."""
    cycle = Cycle.objects.filter(period=str(period)).first()
    status = cycle.status if cycle else CycleStatus.OPEN
    done, total = cycle_progress(cycle=cycle) if cycle else (0, 0)
    if status == CycleStatus.CLOSED:
        done = total = max(total, 1)
    # A close of part of the period is done when its cycle is open again with no close under way.
    under_way = cycle is not None and (
        cycle.parts.filter(run=cycle.run, status__in=[PartStatus.REQUESTED, PartStatus.CLOSING]).exists()
    )
    return {
        "period": str(period),
        "status": status,
        "finished": status == CycleStatus.CLOSED or (status == CycleStatus.OPEN and not under_way),
        "status_label": str(CycleStatus(status).label),
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 0,
    }


# --- the home page ------------------------------------------------------------------------------
