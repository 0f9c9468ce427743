"""Reads behind the cycle pages, the scorecards and the dashboards.

Every figure a dashboard shows is aggregated by the database (``values().annotate()``,
``aggregate``, ``Case``/``When`` buckets): the number of queries depends on the number of
periods and sections, never on the number of employees.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from metrics.cache import cached, roster_generation
from metrics.closing import cycle_progress
from metrics.models import Cycle, CycleEvent, CycleStatus, MetricEntry, Result, ResultLine
from people.models import User
from people.selectors import PlanRow, flag_labels, people_visible, plans_overview, rows_page
from plans.models import Assignment, Band, Frequency, Indicator, Method
from plans.periods import Period

ZERO = Decimal("0.00")
CENTS = Decimal("0.01")
TOP_COUNT = 10
# Score buckets of the distribution: [0, 10), [10, 20), … [110, 120), then 120 and above.
BUCKET_WIDTH = 10
BUCKET_COUNT = 12
# Results change only when a cycle closes or reopens, and each of those writes a CycleEvent; the
# people they are grouped by change with a roster import. So the dashboard's figures of results
# are kept in the cache under the latest event and the roster's generation, and computed once
# per change instead of on every view: over 100,000 people they cost over a second (bench_load).
# An entry lives at most this long, for edits made where no generation is bumped (Django's admin).
DASHBOARD_CACHE_SECONDS = 3600
# The completion of open months changes with every figure saved, and counting it reads every
# figure of the month (0.3 s at 100,000 people): it is counted at most once a minute, and the
# page says when.
COMPLETION_CACHE_SECONDS = 60


def period_key(period: Period) -> tuple[Period, bool]:
    """Periods in time order, a quarter right after its last month."""
    return (period.last_month(), period.is_quarter)


def _sorted_periods(periods: set[str]) -> list[str]:
    return [str(p) for p in sorted((Period.parse(p) for p in periods), key=period_key)]


def _mean(total: Decimal | None, count: int) -> Decimal:
    return (Decimal(total or 0) / count).quantize(CENTS, ROUND_HALF_UP) if count else ZERO


def _money(value: Decimal | int | None) -> Decimal:
    return Decimal(value or 0).quantize(CENTS, ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else Decimal("0.0")


def number_text(value: Decimal | None) -> str:
    """A stored figure as people write it: 4.000000 -> 4, 95.833300 -> 95.8333."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text


def person_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.display_name or user.username


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
    cycles = {c.period: c for c in Cycle.objects.all()}
    periods = set(cycles) | _figure_periods()
    periods |= {str(Period.parse(p).quarter_of()) for p in periods}
    counts = result_counts()
    rows = []
    for period in _sorted_periods(periods):
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


def assignments_in_force(*, month: Period) -> QuerySet[Assignment]:
    """The assignment each employee is on in ``month``: the latest one started by then."""
    later = Assignment.objects.filter(employee=OuterRef("employee"), start__gt=OuterRef("start"), start__lte=str(month))
    return Assignment.objects.filter(start__lte=str(month)).exclude(Exists(later))


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


@dataclass(frozen=True)
class BandTotal:
    label: str
    count: int
    bonus: Decimal


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
    bands = _band_order({r["band"] for r in rows})
    by_band = {r["band"]: r for r in rows}
    results = sum(r["count"] for r in rows)
    return CycleSummary(
        results=results,
        average=_mean(sum((r["score"] for r in rows), ZERO), results),
        bonus=_money(sum((r["bonus"] for r in rows), ZERO)),
        bands=[
            BandTotal(label=label or _("No band"), count=by_band[label]["count"], bonus=_money(by_band[label]["bonus"]))
            for label in bands
        ],
    )


def _band_order(labels: set[str]) -> list[str]:
    """Band labels best first (by the highest minimum any plan gives them), no band last."""
    best = dict(
        Band.objects.filter(label__in=labels)
        .order_by()
        .values("label")
        .annotate(m=Max("min"))
        .values_list("label", "m")
    )
    return sorted(labels, key=lambda label: (label not in best, -best.get(label, 0), label))


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
        closed = set(
            Cycle.objects.filter(period__in=months, status=CycleStatus.CLOSED).values_list("period", flat=True)
        )
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

HOME_CYCLES_SHOWN = 8  # the latest periods; the cycles page has them all
SCORES_PER_PAGE = 25


@dataclass(frozen=True)
class ScoreRow:
    employee: str  # user name
    name: str
    department: str
    score: Decimal
    band: str
    bonus: Decimal
    flags: tuple[str, ...]  # labels, in the order of the sorted flags


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int


@dataclass(frozen=True)
class HomeOverview:
    plans: list[PlanRow]
    cycles: list[CycleListRow]  # the latest periods, oldest first; a quarter after its months
    cycles_earlier: int  # periods before those
    scores_period: str  # the latest closed period, "" while none is closed
    scores: "Page[ScoreRow]"  # by user name; its paginator counts everybody
    band_counts: list[Bucket]  # best band first


def home_overview(*, user: User, page: str | int | None = None) -> HomeOverview:
    """What the home page shows ``user``: a page of the scores of the people they may see, and
    the counts per band of them all (a fixed number of queries for any number of people)."""
    cycles = cycles_list()
    closed = [row.period for row in cycles if row.status == CycleStatus.CLOSED]
    scores_period = closed[-1] if closed else ""
    if scores_period:
        scores, band_counts = _scores(period=scores_period, user=user, page=page)
    else:
        scores, band_counts = Paginator([], SCORES_PER_PAGE).get_page(1), []
    return HomeOverview(
        plans=plans_overview(),
        cycles=cycles[-HOME_CYCLES_SHOWN:],
        cycles_earlier=max(len(cycles) - HOME_CYCLES_SHOWN, 0),
        scores_period=scores_period,
        scores=scores,
        band_counts=band_counts,
    )


def _scores(*, period: str, user: User, page: str | int | None) -> tuple["Page[ScoreRow]", list[Bucket]]:
    results = Result.objects.filter(period=period, superseded_at__isnull=True, employee__in=people_visible(user=user))
    shown = rows_page(
        results.select_related("employee__department").order_by("employee__username"),
        row=_score_row,
        number=page,
        per_page=SCORES_PER_PAGE,
    )
    counts = dict(results.order_by().values("band").annotate(n=Count("pk")).values_list("band", "n"))
    # Every band of the plans involved, best first, even those nobody reached.
    best = dict(
        Band.objects.filter(version_id__in=results.order_by().values("version_id"))
        .order_by()
        .values("label")
        .annotate(m=Max("min"))
        .values_list("label", "m")
    )
    labels = sorted(best.keys() | counts.keys(), key=lambda label: (label not in best, -best.get(label, 0), label))
    band_counts = [Bucket(label=label or _("No band"), count=counts.get(label, 0)) for label in labels]
    return shown, band_counts


def _score_row(result: Result) -> ScoreRow:
    employee = result.employee
    return ScoreRow(
        employee=employee.username,
        name=person_name(employee),
        department=employee.department.name if employee.department else "",
        score=result.score,
        band=result.band,
        bonus=result.bonus,
        flags=flag_labels(result.flags),
    )


# --- scorecards --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorecardLine:
    code: str
    name: str
    unit: str
    method: str
    weight: Decimal
    actual: str
    target: str
    points: Decimal
    reasons: list[str]


@dataclass(frozen=True)
class ScorecardPeriod:
    period: str
    is_quarter: bool
    plan: str
    score: Decimal
    band: str
    payout: Decimal
    bonus: Decimal
    flags: list[str]
    lines: list[ScorecardLine]


def _line_reasons(line: ResultLine, indicator: Indicator, *, quarter: bool) -> list[str]:
    """Why an indicator scored what it did, in words."""
    reasons = []
    if quarter and indicator.frequency == Frequency.MONTHLY:
        if line.months:
            reasons.append(
                _("The mean of its monthly points over %(count)s months of the quarter.") % {"count": line.months}
            )
        else:
            reasons.append(_("No monthly score in this quarter: 0 points."))
        return reasons
    if line.missing:
        reasons.append(_("No figure was entered: it scores 0 (closed with figures missing)."))
        return reasons
    if line.floored:
        if indicator.method == Method.PROPORTIONAL:
            reasons.append(
                _("Below the floor of %(floor)s × target: it scores 0.") % {"floor": number_text(indicator.floor)}
            )
        else:
            reasons.append(_("The penalties take it below 0: it scores 0."))
    if line.capped:
        cap = indicator.cap if indicator.cap is not None else Decimal(1)
        reasons.append(
            _("Capped at %(max)s points (weight %(weight)s × cap %(cap)s).")
            % {
                "max": number_text(indicator.weight * cap),
                "weight": number_text(indicator.weight),
                "cap": number_text(cap),
            }
        )
    if line.stretched:
        reasons.append(
            _("Stretch target %(target)s reached: %(bonus)s extra points.")
            % {"target": number_text(indicator.stretch_target), "bonus": number_text(indicator.stretch_bonus)}
        )
    if not reasons:
        reasons.append(_method_reason(line, indicator))
    return reasons


def _method_reason(line: ResultLine, indicator: Indicator) -> str:
    """How the method turned the actual value into points, when nothing special happened."""
    reached = line.points >= indicator.weight
    if indicator.method == Method.RATING:
        return _("Rated %(actual)s out of %(scale)s: weight × rating ÷ scale.") % {
            "actual": number_text(line.actual),
            "scale": number_text(indicator.scale),
        }
    if indicator.method == Method.TIERS:
        if line.points > 0:
            return _("The best tier reached is worth %(points)s points.") % {"points": line.points}
        return _("No tier reached: 0 points.")
    if indicator.method == Method.BINARY:
        return _("Target met: full weight.") if reached else _("Target not met: 0 points.")
    if indicator.method == Method.PER_UNIT:
        if line.points > indicator.weight:
            return _("Above target: %(bonus)s extra points per unit.") % {
                "bonus": number_text(indicator.bonus_per_unit or Decimal(0))
            }
        if not reached:
            return _("Below target: %(penalty)s points off per unit short.") % {
                "penalty": number_text(indicator.penalty_per_unit or Decimal(0))
            }
    if reached:
        return _("Target reached: full weight or more.")
    return _("Below target: points in proportion to how close it came.")


def scorecard(*, employee: User) -> list[ScorecardPeriod]:
    """An employee's current results, newest period first, each indicator with its reasons."""
    results = list(
        Result.objects.filter(employee=employee, superseded_at__isnull=True)
        .select_related("version")
        .prefetch_related("lines__indicator")
    )
    results.sort(key=lambda r: period_key(Period.parse(r.period)), reverse=True)
    methods = dict(Method.choices)
    periods = []
    for result in results:
        quarter = Period.parse(result.period).is_quarter
        lines = []
        for line in result.lines.all():
            indicator = line.indicator
            lines.append(
                ScorecardLine(
                    code=indicator.code,
                    name=indicator.name,
                    unit=indicator.unit,
                    method=str(methods.get(line.method, line.method)),
                    weight=indicator.weight.quantize(CENTS),
                    actual=number_text(line.actual),
                    target=number_text(line.target),
                    points=line.points,
                    reasons=_line_reasons(line, indicator, quarter=quarter),
                )
            )
        periods.append(
            ScorecardPeriod(
                period=result.period,
                is_quarter=quarter,
                plan=f"{result.version.name} v{result.version.number}",
                score=result.score,
                band=result.band,
                payout=result.payout,
                bonus=result.bonus,
                flags=list(flag_labels(result.flags)),
                lines=lines,
            )
        )
    return periods


# --- dashboards --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    period: str = ""  # "" = the latest period with results
    department_id: int | None = None
    plan: str = ""  # a plan template code


@dataclass(frozen=True)
class PeriodRow:
    period: str
    results: int
    average: Decimal
    bonus: Decimal
    bands: list[BandTotal]


@dataclass(frozen=True)
class DepartmentRow:
    name: str
    results: int
    average: Decimal
    bonus: Decimal


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    results: int
    reached: int
    rate: Decimal  # percent


@dataclass(frozen=True)
class CompletionRow:
    period: str
    present: int
    expected: int
    rate: Decimal  # percent


@dataclass(frozen=True)
class RankRow:
    employee: str
    name: str
    department: str
    score: Decimal
    band: str
    bonus: Decimal


@dataclass(frozen=True)
class Dashboard:
    period: str
    periods: list[PeriodRow]
    band_labels: list[str]
    histogram: list[Bucket]
    trend: list[PeriodRow]  # the months of ``periods``
    departments: list[DepartmentRow]
    indicators: list[IndicatorRow]
    completion: list[CompletionRow]
    top: list[RankRow]
    bottom: list[RankRow]
    completion_at: datetime | None = None  # when the completion was counted
    charts: dict[str, Any] = field(default_factory=dict)


def _results_stamp() -> tuple[object, ...]:
    """What the dashboard's cached figures depend on besides its filters: the language, the
    latest close or reopen, the roster's generation."""
    # The event's time as well as its id: a database made again from scratch reuses the ids.
    last_event = CycleEvent.objects.order_by("-pk").values_list("pk", "at").first()
    return (translation.get_language() or "", last_event, roster_generation())


def result_counts() -> dict[str, int]:
    """How many current results each period has: counted once per close or reopen."""
    return cached(
        lambda: dict(
            Result.objects.filter(superseded_at__isnull=True)
            .order_by()
            .values("period")
            .annotate(n=Count("pk"))
            .values_list("period", "n")
        ),
        "result-counts",
        *_results_stamp(),
        seconds=DASHBOARD_CACHE_SECONDS,
    )


def result_periods() -> list[str]:
    """The periods that have current results, in time order."""
    return _sorted_periods(set(result_counts()))


def _results(filters: DashboardFilters) -> QuerySet[Result]:
    results = Result.objects.filter(superseded_at__isnull=True)
    if filters.department_id is not None:
        results = results.filter(employee__department_id=filters.department_id)
    if filters.plan:
        results = results.filter(version__template__code=filters.plan)
    return results.order_by()


def _period_rows(filters: DashboardFilters) -> tuple[list[PeriodRow], list[str]]:
    rows = list(
        _results(filters).values("period", "band").annotate(count=Count("pk"), bonus=Sum("bonus"), score=Sum("score"))
    )
    labels = _band_order({r["band"] for r in rows})
    by_period: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_period.setdefault(row["period"], {})[row["band"]] = row
    periods = []
    for period in _sorted_periods(set(by_period)):
        bands = by_period[period]
        count = sum(b["count"] for b in bands.values())
        periods.append(
            PeriodRow(
                period=period,
                results=count,
                average=_mean(sum((b["score"] for b in bands.values()), ZERO), count),
                bonus=_money(sum((b["bonus"] for b in bands.values()), ZERO)),
                bands=[
                    BandTotal(
                        label=label or _("No band"), count=bands[label]["count"], bonus=_money(bands[label]["bonus"])
                    )
                    for label in labels
                    if label in bands
                ],
            )
        )
    return periods, [label or _("No band") for label in labels]


def _histogram(results: QuerySet[Result]) -> list[Bucket]:
    whens = [When(score__lt=(index + 1) * BUCKET_WIDTH, then=Value(index)) for index in range(BUCKET_COUNT)]
    counts = dict(
        results.annotate(bucket=Case(*whens, default=Value(BUCKET_COUNT), output_field=IntegerField()))
        .values("bucket")
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
    )
    buckets = [
        Bucket(label=f"{index * BUCKET_WIDTH}–{(index + 1) * BUCKET_WIDTH}", count=counts.get(index, 0))
        for index in range(BUCKET_COUNT)
    ]
    buckets.append(Bucket(label=f"≥ {BUCKET_COUNT * BUCKET_WIDTH}", count=counts.get(BUCKET_COUNT, 0)))
    return buckets


def _departments(results: QuerySet[Result]) -> list[DepartmentRow]:
    rows = results.values("employee__department__name").annotate(n=Count("pk"), score=Sum("score"), bonus=Sum("bonus"))
    departments = [
        DepartmentRow(
            name=row["employee__department__name"] or _("No department"),
            results=row["n"],
            average=_mean(row["score"], row["n"]),
            bonus=_money(row["bonus"]),
        )
        for row in rows
    ]
    return sorted(departments, key=lambda d: (-d.average, d.name))


def _indicators(results: QuerySet[Result]) -> list[IndicatorRow]:
    rows = (
        ResultLine.objects.filter(result__in=results.values("pk"))
        .order_by()
        .values("indicator__code")
        .annotate(
            name=Max("indicator__name"),
            n=Count("pk"),
            reached=Count("pk", filter=Q(points__gte=F("indicator__weight"))),
        )
        .order_by("indicator__code")
    )
    indicators = [
        IndicatorRow(
            code=row["indicator__code"],
            name=row["name"],
            results=row["n"],
            reached=row["reached"],
            rate=_percent(row["reached"], row["n"]),
        )
        for row in rows
    ]
    return sorted(indicators, key=lambda i: (-i.rate, i.code))


def _ranks(results: QuerySet[Result], *, best: bool) -> list[RankRow]:
    order = ("-score", "employee__username") if best else ("score", "employee__username")
    return [
        RankRow(
            employee=r.employee.username,
            name=person_name(r.employee),
            department=r.employee.department.name if r.employee.department else "",
            score=r.score,
            band=r.band,
            bonus=r.bonus,
        )
        for r in results.select_related("employee__department").order_by(*order)[:TOP_COUNT]
    ]


def _figure_periods() -> set[str]:
    """The distinct periods of the figures, in one query that probes the period index once per
    period (a loose index scan): ``SELECT DISTINCT period`` read every figure, 250 ms of each
    dashboard over 3.2 million figures (bench_load)."""
    table = MetricEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE p(period) AS (SELECT MIN(period) FROM {table} UNION ALL "
            f"SELECT (SELECT MIN(period) FROM {table} WHERE period > p.period) FROM p WHERE p.period IS NOT NULL) "
            "SELECT period FROM p WHERE period IS NOT NULL"
        )
        return {row[0] for row in cursor.fetchall()}


def open_months() -> list[Period]:
    """Months with figures or a cycle that are not closed yet."""
    statuses = dict(Cycle.objects.values_list("period", "status"))
    periods = set(statuses) | _figure_periods()
    months = (Period.parse(p) for p in periods)
    return sorted(m for m in months if m.is_month and statuses.get(str(m)) != CycleStatus.CLOSED)


def completion(*, filters: DashboardFilters) -> list[CompletionRow]:
    """Figures present / figures expected for each open month: two counting queries a month."""
    rows = []
    for month in open_months():
        text = str(month)
        current = assignments_in_force(month=month)
        if filters.department_id is not None:
            current = current.filter(employee__department_id=filters.department_id)
        if filters.plan:
            current = current.filter(version__template__code=filters.plan)
        # One row per (assignment, monthly indicator of its version): what a complete month holds.
        expected = Indicator.objects.filter(frequency=Frequency.MONTHLY, version__assignments__in=current).count()
        present = MetricEntry.objects.filter(
            period=text, value__isnull=False, indicator__frequency=Frequency.MONTHLY, assignment__in=current
        ).count()
        rows.append(CompletionRow(period=text, present=present, expected=expected, rate=_percent(present, expected)))
    return rows


def dashboard(*, filters: DashboardFilters) -> Dashboard:
    """The dashboard: its figures of results from the cache while nothing changed them, the
    completion of the open months as counted in the last minute."""
    parts = (*_results_stamp(), filters.period, filters.department_id, filters.plan)
    board = cached(lambda: _results_board(filters), "board", *parts, seconds=DASHBOARD_CACHE_SECONDS)
    counted_at, rows = cached(
        lambda: (timezone.now(), completion(filters=filters)), "completion", *parts, seconds=COMPLETION_CACHE_SECONDS
    )
    return replace(board, completion=rows, completion_at=counted_at)


def _results_board(filters: DashboardFilters) -> Dashboard:
    periods, band_labels = _period_rows(filters)
    period = filters.period or (periods[-1].period if periods else "")
    selected = _results(filters).filter(period=period)
    trend = [row for row in periods if Period.parse(row.period).is_month]
    board = Dashboard(
        period=period,
        periods=periods,
        band_labels=band_labels,
        histogram=_histogram(selected),
        trend=trend,
        departments=_departments(selected),
        indicators=_indicators(selected),
        completion=[],
        top=_ranks(selected, best=True),
        bottom=_ranks(selected, best=False),
    )
    board.charts.update(_charts(board))
    return board


def _charts(board: Dashboard) -> dict[str, Any]:
    """The numbers the charts draw, as plain JSON (numbers as strings keep their decimals)."""
    return {
        "words": {"people": _("People"), "average": _("Average score")},
        "histogram": {"labels": [b.label for b in board.histogram], "counts": [b.count for b in board.histogram]},
        "bands": {
            "periods": [p.period for p in board.periods],
            "series": [
                {
                    "label": label,
                    "counts": [next((b.count for b in p.bands if b.label == label), 0) for p in board.periods],
                }
                for label in board.band_labels
            ],
        },
        "trend": {"labels": [p.period for p in board.trend], "averages": [str(p.average) for p in board.trend]},
        "departments": {
            "labels": [d.name for d in board.departments],
            "averages": [str(d.average) for d in board.departments],
        },
    }
