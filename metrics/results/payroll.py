"""Reads behind a period's results page, what HR hands to payroll: everybody's score, band and bonus.

A period's current results are listed whatever its cycle's status, so a period closed in part
(SPEC.md section 8) shows the people closed so far. The page reads one page of rows; the totals
per band and per department are counted by the database once per change of the results or the
roster (the dashboard's cache), so a page costs the same at 100 and at 100,000 people.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import overload

from django.core.paginator import Page, Paginator
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
# round. Ties go by user name (bonuses: by employee, the index's order), so that a page never
# shows a row twice. Each is read from an index a page at a time, not sorted whole.
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
    pk: int | None  # None: the people of no department
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


def _sort_key(sort: str) -> tuple[str, bool]:
    """A sort of ``SORTS`` as (key, descending); an unknown one is the default."""
    key = sort.removeprefix("-")
    return (key, sort.startswith("-")) if key in SORTS else (DEFAULT_SORT, False)


def payroll_order(sort: str) -> list[OrderBy]:
    """The ORDER BY of a sort of ``SORTS`` ("-" first: descending), each in an order an index reads."""
    key, descending = _sort_key(sort)
    if key == "bonus":  # the result_current_bonus index's order: ties by employee
        return (
            [F("bonus").desc(), F("employee_id").asc()] if descending else [F("bonus").asc(), F("employee_id").desc()]
        )
    column = F(SORTS[key])
    nulls = {"nulls_last": True} if key == "department" else {}  # the only column that may be empty
    first = column.desc(**nulls) if descending else column.asc(**nulls)
    return [first] if key == DEFAULT_SORT else [first, F(SORTS[DEFAULT_SORT]).asc()]


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


class _ByDepartment(Sequence[PayrollRow]):
    """The results in department order, read a department at a time: the totals say how many
    each has, so a page is one or two of them by user name instead of everybody sorted by their
    department's name (bench_load: 107 ms a page at 100,000 people, without load)."""

    def __init__(self, results: QuerySet[Result], totals: "PayrollTotals", *, descending: bool) -> None:
        named = [d for d in totals.departments if d.pk is not None]
        self.results, self.total = results, totals.count
        self.departments = [
            *(reversed(named) if descending else named),
            *(d for d in totals.departments if d.pk is None),
        ]

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> PayrollRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[PayrollRow]: ...
    def __getitem__(self, index: int | slice) -> PayrollRow | list[PayrollRow]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, self.total if index.stop is None else index.stop
        rows: list[PayrollRow] = []
        first = 0  # where the department starts in the whole list
        for department in self.departments:
            low, high = max(start - first, 0), min(stop - first, department.count)
            if low < high:
                rows += [_row(r) for r in self.results.filter(employee__department_id=department.pk)[low:high]]
            first += department.count
        return rows


def payroll_page(
    *, period: Period, filters: PayrollFilters, number: str | int | None, totals: "PayrollTotals"
) -> "Page[PayrollRow]":
    """Page ``number`` of the results ``filters`` keep, in their order: one query (the count is
    the totals'), two when a page of the department order spans two departments."""
    results = payroll_results(period=period, filters=filters).select_related(
        "employee__department", "employee__manager", "version"
    )
    key, descending = _sort_key(filters.sort)
    if key == "department":
        by_user = results.order_by(*payroll_order(DEFAULT_SORT))
        return Paginator(_ByDepartment(by_user, totals, descending=descending), RESULTS_PER_PAGE).get_page(number)
    ordered = results.order_by(*payroll_order(filters.sort))
    return rows_page(ordered, row=_row, number=number, per_page=RESULTS_PER_PAGE, count=totals.count)


def _totals(results: QuerySet[Result]) -> PayrollTotals:
    bands = {
        row["band"]: row for row in results.order_by().values("band").annotate(count=Count("pk"), bonus=Sum("bonus"))
    }
    departments = sorted(
        results.order_by()
        .values("employee__department_id", "employee__department__name")
        .annotate(count=Count("pk"), bonus=Sum("bonus"))
        .values_list("employee__department_id", "employee__department__name", "count", "bonus"),
        key=lambda row: (row[1] is None, row[1] or ""),
    )
    return PayrollTotals(
        count=sum(row["count"] for row in bands.values()),
        bonus=money(sum((row["bonus"] for row in bands.values()), ZERO)),
        bands=[
            BandTotal(label=label or _("No band"), count=bands[label]["count"], bonus=money(bands[label]["bonus"]))
            for label in band_order(set(bands))
        ],
        departments=[
            DepartmentTotal(pk=pk, name=name or _("No department"), count=count, bonus=money(bonus))
            for pk, name, count, bonus in departments
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
