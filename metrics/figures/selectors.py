"""Reads of figures and results: rows in, plain data out."""

import calendar
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import Closure, closed_employees, closure
from metrics.figures.models import MetricChange, MetricEntry, UploadPreview
from metrics.figures.pgcopy import ids_in
from people.models import Role, User
from people.selectors import by_name, people_visible
from plans.models import Assignment, Indicator
from plans.numbers import number_text
from plans.periods import Period
from plans.scoring import Frequency, score_month
from plans.selectors import VersionRules, assignments_for_month, input_label, version_rules


@dataclass(frozen=True)
class MissingFigure:
    employee: str
    name: str
    manager: str
    indicator: str
    period: str

    def __str__(self) -> str:
        who = f"{self.employee} ({self.name})" if self.name else self.employee
        return f"{who} {self.period} {self.indicator}"


def close_scope(*, period: Period, employee_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """Who a close covers: employee id -> (assignment id, version id) of the people assigned in
    the period whom no finished close of its current run has scored (SPEC.md section 8); of
    ``employee_ids`` only, when given. A year covers whoever was assigned in one of its months,
    as a quarter does."""
    # The assignment with the latest start up to the period's last month: a month's in force, or
    # the one a quarter (or year) scores with, of whoever was assigned in one of its months. As
    # plain rows: a close of 100,000 people made as many model instances here, twice (the request
    # and the claim), 2.7 s each (bench_close).
    last = period if period.is_month else period.last_month()
    rows = Assignment.objects.filter(start__lte=str(last))
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=list(employee_ids))
    scope: dict[int, tuple[int, int]] = {}
    for employee_id, pk, version_id in rows.order_by("employee_id", "start").values_list(
        "employee_id", "pk", "version_id"
    ):
        scope[employee_id] = (pk, version_id)
    for employee_id in closed_employees(period=period):
        scope.pop(employee_id, None)
    return scope


def figures_missing(
    *,
    period: Period,
    employee_ids: Iterable[int] | None = None,
    scope: dict[int, tuple[int, int]] | None = None,
) -> list[MissingFigure]:
    """Every value a close of ``period`` still lacks, by employee and indicator: of everybody it
    would cover, of ``employee_ids`` only (one team's, for its reminder), or of ``scope`` (as
    ``close_scope`` gives it). A year has no figures of its own: it lacks none."""
    if period.is_year:
        return []
    scope = close_scope(period=period, employee_ids=employee_ids) if scope is None else scope
    frequency = Frequency.MONTHLY if period.is_month else Frequency.QUARTERLY
    rules = version_rules(version_ids={version for _a, version in scope.values()})
    entries = MetricEntry.objects.filter(
        ids_in("assignment_id", [a for a, _v in scope.values()], model=MetricEntry),
        period=str(period),
        value__isnull=False,
    )
    per_version = Counter(version for _a, version in scope.values())
    expected = sum(
        count * sum(1 for i in rules[version].indicators.values() if i.frequency == frequency)
        for version, count in per_version.items()
    )
    # The usual case, a complete period, in one count instead of reading every figure and person.
    if entries.filter(indicator__frequency=frequency).count() == expected:
        return []
    present = set(entries.values_list("assignment_id", "indicator_id"))
    people = {user.pk: user for user in User.objects.filter(pk__in=scope.keys()).select_related("manager").order_by()}
    missing = []
    for employee_id, (assignment_id, version_id) in scope.items():
        person = people[employee_id]
        for code, indicator in rules[version_id].indicators.items():
            if indicator.frequency == frequency and (assignment_id, indicator.pk) not in present:
                missing.append(
                    MissingFigure(
                        employee=person.username,
                        name=person.display_name,
                        manager=person.manager.username if person.manager else "",
                        indicator=code,
                        period=str(period),
                    )
                )
    return sorted(missing, key=lambda m: (m.manager, m.employee, m.indicator))


def figures_people(*, user: User, manager_id: int | None = None, department_id: int | None = None) -> QuerySet[User]:
    """The people whose figures ``user`` enters: a manager's reports, anybody for HR.

    ``manager_id`` and ``department_id`` narrow HR's view to one manager's team or one department.
    """
    people = people_visible(user=user).exclude(pk=user.pk)
    if manager_id is not None:
        people = people.filter(manager_id=manager_id)
    if department_id is not None:
        people = people.filter(department_id=department_id)
    return people


def figures_assigned(*, people: QuerySet[User], period: Period) -> QuerySet[User]:
    """Those of ``people`` with a plan in force in the month, by name: the grid's rows, to page."""
    in_force = Assignment.objects.filter(employee=OuterRef("pk"), start__lte=str(period))
    return people.filter(Exists(in_force)).order_by(*by_name())


def figures_managers() -> QuerySet[User]:
    """Who HR can narrow the grid to: the managers, by name."""
    return User.objects.filter(role=Role.MANAGER).order_by(*by_name())


def figures_deadline(*, period: Period) -> datetime:
    """The end of the day ``FIGURES_DEADLINE_DAY`` of the month after ``period``, in local time."""
    # By hand rather than ``period.shift(1)``: the month after the last one of the range has a
    # deadline even though it is no period itself.
    year, month = divmod(period.year * 12 + period.month, 12)
    day = min(settings.FIGURES_DEADLINE_DAY, calendar.monthrange(year, month + 1)[1])
    return timezone.make_aware(datetime.combine(date(year, month + 1, day), time.max))


@dataclass(frozen=True)
class GridColumn:
    name: str  # as in the metrics CSV: "churn.lost", "satisfaction"; a formula's value: "churn"
    indicator: str
    label: str
    unit: str
    computed: bool  # a formula's value, shown beside its inputs, never typed


@dataclass(frozen=True)
class GridCell:
    column: GridColumn
    text: str  # what is stored, as people type it; "" when nothing is
    applies: bool  # the employee's plan has this column


@dataclass(frozen=True)
class GridRow:
    employee: str
    name: str
    cells: tuple[GridCell, ...]
    score: Decimal | None  # the month's score so far; None while nothing is entered
    band: str
    missing: tuple[str, ...]  # names of the monthly indicators still without a value
    filled: int
    total: int
    closed: bool = False  # closed already with part of the period (SPEC.md section 8): read-only


@dataclass(frozen=True)
class FiguresGrid:
    period: Period
    status: str  # a CycleStatus value
    deadline: datetime
    columns: tuple[GridColumn, ...]
    rows: tuple[GridRow, ...]

    @property
    def editable(self) -> bool:
        return self.status == CycleStatus.OPEN

    @property
    def closed_rows(self) -> int:
        return sum(row.closed for row in self.rows)

    @property
    def filled(self) -> int:
        return sum(row.filled for row in self.rows)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


def figure_text(value: Decimal | str | None) -> str:
    """A stored number as people type it: ``4.0000`` is ``4``, ``8.600000`` is ``8.6``."""
    # number_text, but also of an input's JSON text, and an empty cell for nothing stored.
    if value is None or value == "":
        return ""
    return number_text(Decimal(value))


def figures_grid(*, people: Iterable[User], period: Period) -> FiguresGrid:
    """One row per person assigned a plan in the month, one column per monthly figure.

    ``people``: a page of them (``figures_assigned``), or all of a team for its template file.
    A fixed number of queries, whatever the number of people.
    """
    persons = {p.pk: p for p in people}
    in_force = assignments_for_month(month=period, employee_ids=persons)
    rules = version_rules(version_ids={a.version_id for a in in_force.values()})
    columns = _grid_columns(rules.values())
    entries = {
        (e.assignment_id, e.indicator_id): e
        for e in MetricEntry.objects.filter(assignment__in=list(in_force.values()), period=str(period))
    }
    closed = closure(period=period)
    rows = [
        _grid_row(persons[employee_id], assignment, rules[assignment.version_id], columns, entries, closed)
        for employee_id, assignment in sorted(
            in_force.items(), key=lambda item: (persons[item[0]].name_sort, persons[item[0]].username)
        )
    ]
    return FiguresGrid(
        period=period,
        status=closed.status,
        deadline=figures_deadline(period=period),
        columns=columns,
        rows=tuple(rows),
    )


def _grid_columns(versions: Iterable[VersionRules]) -> tuple[GridColumn, ...]:
    """The columns of the plans' monthly figures, each once (a formula's inputs before its value)."""
    columns: dict[str, GridColumn] = {}
    for version in versions:
        for indicator in version.indicators.values():
            if indicator.frequency != Frequency.MONTHLY:
                continue
            for name in indicator.inputs:
                label = f"{indicator.name} · {input_label(indicator=indicator, name=name)}"
                column = GridColumn(f"{indicator.code}.{name}", indicator.code, label, "", False)
                columns.setdefault(column.name, column)
            columns.setdefault(
                indicator.code,
                GridColumn(indicator.code, indicator.code, indicator.name, indicator.unit, bool(indicator.formula)),
            )
    return tuple(columns.values())


def _grid_row(
    person: User,
    assignment: Assignment,
    version: VersionRules,
    columns: tuple[GridColumn, ...],
    entries: dict[tuple[int, int], MetricEntry],
    closed: Closure,
) -> GridRow:
    """A person's row: what is stored in each column, and the month's score so far."""
    monthly = {c: i for c, i in version.indicators.items() if i.frequency == Frequency.MONTHLY}
    found = {code: entries.get((assignment.pk, indicator.pk)) for code, indicator in monthly.items()}
    cells = tuple(_grid_cell(column, monthly, found) for column in columns)
    actuals = {code: entry.value if entry else None for code, entry in found.items()}
    missing = tuple(monthly[code].name for code, value in actuals.items() if value is None)
    result = score_month(version.rules, actuals, bonus_amount=assignment.monthly_bonus)
    entered = len(missing) < len(monthly)
    return GridRow(
        employee=person.username,
        name=person.display_name or person.username,
        cells=cells,
        score=result.score if entered else None,
        band=result.band if entered and not missing else "",
        missing=missing,
        filled=len(monthly) - len(missing),
        total=len(monthly),
        closed=closed.status == CycleStatus.OPEN and closed.closes(person.pk),
    )


def _grid_cell(column: GridColumn, monthly: dict[str, Indicator], found: dict[str, MetricEntry | None]) -> GridCell:
    """What a person's figure of the month holds in a column, if their plan has that column."""
    input_name = column.name.partition(".")[2]
    applies = column.indicator in monthly and (
        column.name == column.indicator or input_name in monthly[column.indicator].inputs
    )
    entry = found.get(column.indicator)
    if entry is None or not applies:
        text = ""
    elif column.name == column.indicator:
        text = figure_text(entry.value)
    else:
        text = figure_text(entry.inputs.get(input_name))
    return GridCell(column=column, text=text, applies=applies)


@dataclass(frozen=True)
class ChangeRow:
    at: datetime
    user: str
    source: str  # its label
    indicator: str
    code: str
    created: bool
    old: str
    new: str
    old_inputs: str  # "lost 2, total 50"
    new_inputs: str


def _inputs_text(inputs: dict[str, str]) -> str:
    return ", ".join(f"{name} {figure_text(value)}" for name, value in inputs.items())


def figure_changes(*, employee: User, period: Period) -> list[ChangeRow]:
    """Every change to an employee's figures of a period, newest first."""
    return [
        ChangeRow(
            at=change.at,
            user=str(change.user) if change.user else "",
            source=f"{change.get_source_display()} · {change.client}" if change.client else change.get_source_display(),
            indicator=change.indicator.name,
            code=change.indicator.code,
            created=change.created,
            old=figure_text(change.old_value),
            new=figure_text(change.new_value),
            old_inputs=_inputs_text(change.old_inputs),
            new_inputs=_inputs_text(change.new_inputs),
        )
        for change in MetricChange.objects.filter(assignment__employee=employee, period=str(period))
        .select_related("indicator", "user")
        .order_by("-at", "-pk")
    ]


def upload_preview_find(*, user: User, token: str) -> UploadPreview | None:
    """The user's own previewed upload with that token; None when it is gone (applied or dropped)."""
    return UploadPreview.objects.filter(user=user, token=token).first() if token else None
