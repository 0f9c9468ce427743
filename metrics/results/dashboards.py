"""Reads behind the dashboards, and the arithmetic of results the cycle pages share.

Every figure a dashboard shows is aggregated by the database (``values().annotate()``,
``aggregate``, ``Case``/``When`` buckets): the number of queries depends on the number of
periods and sections, never on the number of employees.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
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
    Sum,
    Value,
    When,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from metrics.cycles.models import Cycle, CycleEvent, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.results.cache import cached
from metrics.results.models import Result, ResultLine
from metrics.results.periods import periods_sorted
from people.generation import roster_generation
from people.models import User
from people.selectors import by_name
from plans.formats import period_text
from plans.models import Assignment, Band, Frequency, Indicator
from plans.periods import Period
from plans.scoring import CENTS

ZERO = Decimal("0.00")
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


def score_mean(total: Decimal | None, count: int) -> Decimal:
    return (Decimal(total or 0) / count).quantize(CENTS, ROUND_HALF_UP) if count else ZERO


def money(value: Decimal | int | None) -> Decimal:
    return Decimal(value or 0).quantize(CENTS, ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else Decimal("0.0")


def person_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.display_name or user.username


@dataclass(frozen=True)
class BandTotal:
    label: str
    count: int
    bonus: Decimal


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int


def band_order(labels: set[str]) -> list[str]:
    """Band labels best first (by the highest minimum any plan gives them), no band last."""
    best = dict(
        Band.objects.filter(label__in=labels)
        .order_by()
        .values("label")
        .annotate(m=Max("min"))
        .values_list("label", "m")
    )
    return sorted(labels, key=lambda label: (label not in best, -best.get(label, 0), label))


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
    still_open: int = 0  # people of ``period`` no close has scored yet (SPEC.md section 8)
    filtered: bool = False  # a department or a plan chosen: what is empty is empty for the filter


def results_stamp() -> tuple[object, ...]:
    """What the dashboard's cached figures depend on besides its filters: the language, the
    latest close or reopen, the roster's generation."""
    # The event's time as well as its id: a database made again from scratch reuses the ids.
    last_event = CycleEvent.objects.order_by("-pk").values_list("pk", "at").first()
    return (translation.get_language() or "", last_event, roster_generation())


def result_counts() -> dict[str, int]:
    """How many current results each period has: counted once per close or reopen."""
    return cached(
        lambda: {
            str(period): n
            for period, n in Result.objects.filter(superseded_at__isnull=True)
            .order_by()
            .values("period")
            .annotate(n=Count("pk"))
            .values_list("period", "n")
        },
        "result-counts",
        *results_stamp(),
        seconds=DASHBOARD_CACHE_SECONDS,
    )


def result_periods() -> list[str]:
    """The periods that have current results, in time order."""
    return periods_sorted(set(result_counts()))


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
    labels = band_order({r["band"] for r in rows})
    by_period: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_period.setdefault(str(row["period"]), {})[row["band"]] = row
    periods = []
    for period in periods_sorted(set(by_period)):
        bands = by_period[period]
        count = sum(b["count"] for b in bands.values())
        periods.append(
            PeriodRow(
                period=period,
                results=count,
                average=score_mean(sum((b["score"] for b in bands.values()), ZERO), count),
                bonus=money(sum((b["bonus"] for b in bands.values()), ZERO)),
                bands=[
                    BandTotal(
                        label=label or _("No band"), count=bands[label]["count"], bonus=money(bands[label]["bonus"])
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
            average=score_mean(row["score"], row["n"]),
            bonus=money(row["bonus"]),
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


def rank_sizes(count: int) -> tuple[int, int]:
    """How many the best and the worst lists hold of ``count`` results: ten each, or, when fewer
    than twenty, the better half and the rest, so that nobody is in both."""
    top = min(TOP_COUNT, (count + 1) // 2)
    return top, min(TOP_COUNT, count - top)


def _ranks(results: QuerySet[Result], *, best: bool, size: int) -> list[RankRow]:
    # The worst list reads the best list's order backwards (ties too): the two never share a person.
    order = ("-score", *by_name("employee__")) if best else ("score", *(f"-{key}" for key in by_name("employee__")))
    if not size:
        return []
    return [
        RankRow(
            employee=r.employee.username,
            name=person_name(r.employee),
            department=r.employee.department.name if r.employee.department else "",
            score=r.score,
            band=r.band,
            bonus=r.bonus,
        )
        for r in results.select_related("employee__department").order_by(*order)[:size]
    ]


def assignments_in_force(*, month: Period) -> QuerySet[Assignment]:
    """The assignment each employee is on in ``month``: the latest one started by then."""
    later = Assignment.objects.filter(employee=OuterRef("employee"), start__gt=OuterRef("start"), start__lte=str(month))
    return Assignment.objects.filter(start__lte=str(month)).exclude(Exists(later))


def figure_periods() -> set[str]:
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
    statuses = {str(period): status for period, status in Cycle.objects.values_list("period", "status")}
    periods = set(statuses) | figure_periods()
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
        if expected:  # a month where the filter expects nothing is not open for it (the page says so)
            rows.append(
                CompletionRow(period=text, present=present, expected=expected, rate=_percent(present, expected))
            )
    return rows


def dashboard(*, filters: DashboardFilters) -> Dashboard:
    """The dashboard: its figures of results from the cache while nothing changed them, the
    completion of the open months as counted in the last minute."""
    parts = (*results_stamp(), filters.period, filters.department_id, filters.plan)
    board = _board(filters, parts)
    counted_at, rows = cached(
        lambda: (timezone.now(), completion(filters=filters)), "completion", *parts, seconds=COMPLETION_CACHE_SECONDS
    )
    filtered = filters.department_id is not None or bool(filters.plan)
    return replace(board, completion=rows, completion_at=counted_at, filtered=filtered)


def _board(filters: DashboardFilters, parts: tuple[object, ...]) -> Dashboard:
    return cached(lambda: _results_board(filters), "board", *parts, seconds=DASHBOARD_CACHE_SECONDS)


def dashboard_warm() -> None:
    """Count the dashboard's figures of results after a close, in each language, so that the
    first view after it (the unfiltered page) reads them from the cache instead of counting them:
    about a second at 100,000 people, while an admin waits (bench_load). Only with a cache the
    pages share (``CACHE_URL``): a worker's own memory would keep them for nobody."""
    if isinstance(caches["default"], LocMemCache):
        return
    filters = DashboardFilters()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            result_counts()
            _board(filters, (*results_stamp(), filters.period, filters.department_id, filters.plan))


def _results_board(filters: DashboardFilters) -> Dashboard:
    periods, band_labels = _period_rows(filters)
    period = filters.period or (periods[-1].period if periods else "")
    selected = _results(filters).filter(period=period)
    trend = [row for row in periods if Period.parse(row.period).is_month]
    histogram = _histogram(selected)
    top_size, bottom_size = rank_sizes(sum(bucket.count for bucket in histogram))  # every result is in one bucket
    board = Dashboard(
        period=period,
        periods=periods,
        band_labels=band_labels,
        histogram=histogram,
        trend=trend,
        departments=_departments(selected),
        indicators=_indicators(selected),
        completion=[],
        top=_ranks(selected, best=True, size=top_size),
        bottom=_ranks(selected, best=False, size=bottom_size),
        still_open=people_open(period=Period.parse(period), department_id=filters.department_id, plan=filters.plan)
        if period
        else 0,
    )
    board.charts.update(_charts(board))
    return board


def people_open(*, period: Period, department_id: int | None = None, plan: str = "") -> int:
    """How many of the people assigned in ``period`` (of a department, on a plan) no close has
    scored yet (SPEC.md section 8): none once it is closed. Counted by the database, for the
    dashboard, the results page and ``export_scores``."""
    if Cycle.objects.filter(period=str(period), status=CycleStatus.CLOSED).exists():
        return 0
    scored = Result.objects.filter(period=str(period), superseded_at__isnull=True, employee=OuterRef("employee"))
    assigned = assignments_in_force(month=period.last_month()).exclude(Exists(scored))
    if department_id is not None:
        assigned = assigned.filter(employee__department_id=department_id)
    if plan:
        assigned = assigned.filter(version__template__code=plan)
    return assigned.count()


def _charts(board: Dashboard) -> dict[str, Any]:
    """The numbers the charts draw, as plain JSON (numbers as strings keep their decimals)."""
    return {
        "words": {"people": _("People"), "average": _("Average score")},
        "histogram": {"labels": [b.label for b in board.histogram], "counts": [b.count for b in board.histogram]},
        "bands": {
            "periods": [period_text(p.period) for p in board.periods],
            "series": [
                {
                    "label": label,
                    "counts": [next((b.count for b in p.bands if b.label == label), 0) for p in board.periods],
                }
                for label in board.band_labels
            ],
        },
        "trend": _trend_chart(board.trend),
        "departments": {
            "labels": [d.name for d in board.departments],
            "averages": [str(d.average) for d in board.departments],
        },
    }


def _trend_chart(trend: list[PeriodRow]) -> dict[str, Any]:
    """Every month from the first to the last with results, a month without any a gap (null):
    the line does not join 2026-01 to 2026-04 as if they were next to each other."""
    if not trend:
        return {"labels": [], "averages": []}
    averages = {row.period: str(row.average) for row in trend}
    first, last = Period.parse(trend[0].period), Period.parse(trend[-1].period)
    months = [str(first.shift(n)) for n in range((last.year - first.year) * 12 + last.month - first.month + 1)]
    return {"labels": [period_text(month) for month in months], "averages": [averages.get(month) for month in months]}
