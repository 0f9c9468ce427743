"""Reads behind a period's results page, what HR hands to payroll: everybody's score, band and bonus.

A period's current results are listed whatever its cycle's status, so a period closed in part
(SPEC.md section 8) shows the people closed so far. The page reads one page of rows; the totals
per band and per department are counted by the database once per change of the results or the
roster (the dashboard's cache), so a page costs the same at 100 and at 100,000 people.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page
from django.db.models import Count, F, QuerySet, Sum, TextField
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.selectors import close_scope
from metrics.results.cache import cached
from metrics.results.dashboards import (
    DASHBOARD_CACHE_SECONDS,
    ZERO,
    BandTotal,
    band_order,
    money,
    person_name,
    results_stamp,
)
from metrics.results.exports import results_of
from metrics.results.models import Result
from metrics.results.scorecards import flag_labels
from people.selectors import rows_page
from plans.periods import Period

RESULTS_PER_PAGE = 50
NO_BAND = "-"  # the band filter's value for results that reached no band
# The orders the page offers, by the column clicked; a name first ("-score") is the other way
# round. Ties go by user name, so that a page never shows a row twice.
SORTS = {
    "employee": "employee__username",
    "name": "employee__display_name",
    "department": "employee__department__name",
    "score": "score",
    "bonus": "bonus",
}
DEFAULT_SORT = "employee"


@dataclass(frozen=True)
class PayrollFilters:
    department_id: int | None = None
    band: str = ""  # "" every band, NO_BAND none reached, else a label
    flag: str = ""  # a flag's code
    sort: str = DEFAULT_SORT  # a key of SORTS, "-" first for descending


@dataclass(frozen=True)
class PayrollRow:
    employee: str
    name: str
    department: str
    manager: str
    plan: str  # the plan version's name
    version: int  # its number
    score: Decimal
    band: str
    payout: Decimal
    bonus: Decimal
    flags: tuple[str, ...]  # in words


@dataclass(frozen=True)
class DepartmentTotal:
    name: str
    count: int
    bonus: Decimal


@dataclass(frozen=True)
class PayrollTotals:
    count: int
    bonus: Decimal
    bands: list[BandTotal]
    departments: list[DepartmentTotal]


@dataclass(frozen=True)
class PayrollFacets:
    """What the filters offer: the bands (best first) and flags the period's results have."""

    bands: list[str]  # "" for no band
    flags: list[str]  # codes, sorted


def payroll_results(*, period: Period, filters: PayrollFilters) -> QuerySet[Result]:
    """The period's current results that ``filters`` keep (the sort aside)."""
    results = results_of(period=period)
    if filters.department_id is not None:
        results = results.filter(employee__department_id=filters.department_id)
    if filters.band == NO_BAND:
        results = results.filter(band="")
    elif filters.band:
        results = results.filter(band=filters.band)
    if filters.flag:
        # Flags are codes (a-z, 0-9, _ and -) in a JSON list: a code in quotes is one whole
        # element, on SQLite (no JSON containment there) as on PostgreSQL.
        results = results.alias(flags_text=Cast("flags", TextField())).filter(flags_text__contains=f'"{filters.flag}"')
    return results


def payroll_order(sort: str) -> list[OrderBy]:
    """The ORDER BY of a sort key of ``SORTS`` ("-" first: descending); an unknown key is the default."""
    descending = sort.startswith("-")
    column = SORTS.get(sort.removeprefix("-"), SORTS[DEFAULT_SORT])
    first = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return [first] if column == SORTS[DEFAULT_SORT] else [first, F(SORTS[DEFAULT_SORT]).asc()]


def _row(result: Result) -> PayrollRow:
    employee = result.employee
    return PayrollRow(
        employee=employee.username,
        name=person_name(employee),
        department=employee.department.name if employee.department else "",
        manager=person_name(employee.manager),
        plan=result.version.name,
        version=result.version.number,
        score=result.score,
        band=result.band,
        payout=result.payout,
        bonus=result.bonus,
        flags=flag_labels(result.flags),
    )


def payroll_page(
    *, period: Period, filters: PayrollFilters, number: str | int | None, count: int
) -> "Page[PayrollRow]":
    """Page ``number`` of the results ``filters`` keep, in their order: one query (``count`` is
    the totals')."""
    results = (
        payroll_results(period=period, filters=filters)
        .select_related("employee__department", "employee__manager", "version")
        .order_by(*payroll_order(filters.sort))
    )
    return rows_page(results, row=_row, number=number, per_page=RESULTS_PER_PAGE, count=count)


def _totals(results: QuerySet[Result]) -> PayrollTotals:
    bands = {
        row["band"]: row for row in results.order_by().values("band").annotate(count=Count("pk"), bonus=Sum("bonus"))
    }
    departments = sorted(
        results.order_by()
        .values("employee__department__name")
        .annotate(count=Count("pk"), bonus=Sum("bonus"))
        .values_list("employee__department__name", "count", "bonus"),
        key=lambda row: (row[0] is None, row[0] or ""),
    )
    return PayrollTotals(
        count=sum(row["count"] for row in bands.values()),
        bonus=money(sum((row["bonus"] for row in bands.values()), ZERO)),
        bands=[
            BandTotal(label=label or _("No band"), count=bands[label]["count"], bonus=money(bands[label]["bonus"]))
            for label in band_order(set(bands))
        ],
        departments=[
            DepartmentTotal(name=name or _("No department"), count=count, bonus=money(bonus))
            for name, count, bonus in departments
        ],
    )


def payroll_totals(*, period: Period, filters: PayrollFilters) -> PayrollTotals:
    """How many results ``filters`` keep and the bonus they pay, per band (best first) and per
    department: counted once per close, reopen or roster import (and at most an hour)."""
    kept = PayrollFilters(department_id=filters.department_id, band=filters.band, flag=filters.flag)
    return cached(
        lambda: _totals(payroll_results(period=period, filters=kept)),
        "payroll-totals",
        *results_stamp(),
        str(period),
        kept,
        seconds=DASHBOARD_CACHE_SECONDS,
    )


def _facets(period: Period) -> PayrollFacets:
    results = results_of(period=period).order_by()
    flags: set[str] = set()
    for row in results.values_list("flags", flat=True).distinct():
        flags.update(row)
    return PayrollFacets(bands=band_order(set(results.values_list("band", flat=True).distinct())), flags=sorted(flags))


def payroll_facets(*, period: Period) -> PayrollFacets:
    return cached(
        lambda: _facets(period), "payroll-facets", *results_stamp(), str(period), seconds=DASHBOARD_CACHE_SECONDS
    )


def people_still_open(*, period: Period) -> int:
    """How many people of ``period`` have no current result yet: those a close covers (assigned
    in the period) less those closed. None once the cycle is closed."""
    if cycle_status(period=period) == CycleStatus.CLOSED:
        return 0
    closed = set(results_of(period=period).values_list("employee_id", flat=True))
    return len(close_scope(period=period).keys() - closed)


def sort_links(current: str) -> dict[str, str]:
    """The order a click on each sortable column gives: its own, or the other way round when it is the current one."""
    return {name: f"-{name}" if current == name else name for name in SORTS}
