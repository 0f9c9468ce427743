"""Reads behind a period's results page, what HR hands to payroll: everybody's score, band and bonus.

A period's current results are listed whatever its cycle's status, so a period closed in part
(SPEC.md section 8) shows the people closed so far. The page reads one page of rows; the totals
per band and per department are counted by the database once per change of the results or the
roster (the dashboard's cache), so a page costs the same at 100 and at 100,000 people.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import overload

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, QuerySet, Sum, TextField
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

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
from plans.selectors import flag_labels as plan_flag_labels

RESULTS_PER_PAGE = 50
NO_BAND = "-"  # the band filter's value for results that reached no band
# The orders the page offers, by the column clicked; a name first ("-score") is the other way
# round. Ties go by user name (bonuses: by employee, the index's order), so that a page never
# shows a row twice. Each is read from an index a page at a time, not sorted whole.
SORTS = {
    "employee": "employee__username",
    "name": "employee__name_sort",  # by pinyin (User.name_sort): 安 before 白 before 陈
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
    version_id: int = 0
    flag_codes: tuple[str, ...] = ()


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
    flag_words: list[str]  # each flag as its plan labels it (else the product's words), in the same order


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
        version_id=result.version_id,
        flag_codes=tuple(result.flags),
    )


def _in_plan_words(page: "Page[PayrollRow]") -> "Page[PayrollRow]":
    """The page's flags with the labels their plans give them: two queries, whatever the page."""
    rows = list(page.object_list)
    labels = plan_flag_labels(version_ids={row.version_id for row in rows})
    page.object_list = [replace(row, flags=flag_labels(row.flag_codes, labels.get(row.version_id))) for row in rows]
    return page


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
        return _in_plan_words(
            Paginator(_ByDepartment(by_user, totals, descending=descending), RESULTS_PER_PAGE).get_page(number)
        )
    ordered = results.order_by(*payroll_order(filters.sort))
    return _in_plan_words(rows_page(ordered, row=_row, number=number, per_page=RESULTS_PER_PAGE, count=totals.count))


@dataclass(frozen=True)
class _Group:
    """The results of one department, band and set of flags: how many, and their bonus."""

    department_id: int | None
    department: str | None
    band: str
    flags: tuple[str, ...]
    count: int
    bonus: Decimal


@dataclass(frozen=True)
class _Groups:
    groups: list[_Group]
    bands: list[str]  # every band of the period, best first
    flag_labels: dict[str, str]  # the labels the period's plans give their flags (the first plan's)


def _groups(period: Period) -> _Groups:
    """The period's results counted by department, band and flags: a few hundred rows at most,
    which give the totals of any filter and what the filters offer."""
    groups = [
        _Group(
            department_id=row["employee__department_id"],
            department=row["employee__department__name"],
            band=row["band"],
            flags=tuple(sorted(row["flags"])),
            count=row["count"],
            bonus=row["bonus"],
        )
        for row in results_of(period=period)
        .order_by()
        .values("employee__department_id", "employee__department__name", "band", "flags")
        .annotate(count=Count("pk"), bonus=Sum("bonus"))
    ]
    versions = results_of(period=period).order_by().values_list("version_id", flat=True).distinct()
    labels: dict[str, str] = {}
    for _version, version_labels in sorted(plan_flag_labels(version_ids=versions).items()):
        for code, label in version_labels.items():
            labels.setdefault(code, label)
    return _Groups(groups=groups, bands=band_order({group.band for group in groups}), flag_labels=labels)


def _period_groups(period: Period) -> _Groups:
    """``_groups``, counted once per close, reopen or roster import (and at most an hour)."""
    return cached(
        lambda: _groups(period), "payroll-groups-2", *results_stamp(), str(period), seconds=DASHBOARD_CACHE_SECONDS
    )


def _kept(group: _Group, filters: PayrollFilters) -> bool:
    if filters.department_id is not None and group.department_id != filters.department_id:
        return False
    if filters.band and group.band != ("" if filters.band == NO_BAND else filters.band):
        return False
    return not filters.flag or filters.flag in group.flags


def _summed(groups: list[_Group]) -> tuple[int, Decimal]:
    return sum(group.count for group in groups), money(sum((group.bonus for group in groups), ZERO))


def payroll_totals(*, period: Period, filters: PayrollFilters) -> PayrollTotals:
    """How many results ``filters`` keep and the bonus they pay, per band (best first) and per
    department (by name, nobody's last), from the period's cached groups: no query of results."""
    period_groups = _period_groups(period)
    kept = [group for group in period_groups.groups if _kept(group, filters)]
    bands = {label: _summed([g for g in kept if g.band == label]) for label in period_groups.bands}
    departments: dict[int | None, list[_Group]] = {}
    for group in sorted(kept, key=lambda g: (g.department is None, g.department or "")):
        departments.setdefault(group.department_id, []).append(group)
    count, bonus = _summed(kept)
    return PayrollTotals(
        count=count,
        bonus=bonus,
        bands=[
            BandTotal(label=label or _("No band"), count=bands[label][0], bonus=bands[label][1])
            for label in period_groups.bands
            if bands[label][0]
        ],
        departments=[
            DepartmentTotal(pk=pk, name=groups[0].department or _("No department"), count=n, bonus=total)
            for pk, groups in departments.items()
            for n, total in [_summed(groups)]
        ],
    )


def payroll_facets(*, period: Period) -> PayrollFacets:
    """What the filters offer: the period's bands and flags, from its cached groups."""
    period_groups = _period_groups(period)
    flags = sorted({flag for group in period_groups.groups for flag in group.flags})
    return PayrollFacets(
        bands=period_groups.bands, flags=flags, flag_words=list(flag_labels(flags, period_groups.flag_labels))
    )


def sort_links(current: str) -> dict[str, str]:
    """The order a click on each sortable column gives: its own, or the other way round when it is the current one."""
    return {name: f"-{name}" if current == name else name for name in SORTS}
