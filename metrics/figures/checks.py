"""Checking a table of figures before any is written: who and when each row is about, what each
cell gives, and every problem where it belongs. The metrics import (``services.py``) writes what
passes, all or nothing.
"""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.cycles.locks import cycles_lock
from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import Closure, closures
from metrics.figures.holders import Holder, quarterly_holders
from metrics.figures.models import ChangeSource, MetricEntry
from people.models import User
from plans import formula as formulas
from plans.models import Assignment, Indicator
from plans.numbers import NumberError, number_check, number_parse, number_text
from plans.periods import Period, PeriodError
from plans.scoring import Frequency, IndicatorRule, Method, q4
from plans.selectors import VersionRules, value_limits, version_rules
from plans.tabular import Row, Table


@dataclass(frozen=True)
class Column:
    name: str
    indicator: str
    input: str = ""  # a formula's input, for "churn.lost"


@dataclass(frozen=True)
class CellError:
    """One problem, where it belongs: the row's number and the column's name ("" for the row).

    ``current`` is set for a conflict: the value stored now, which someone saved meanwhile.
    """

    row: int
    column: str
    message: str
    current: str | None = None


# The cells a grid was loaded with: (employee, period, column) -> the text shown then.
Expected = Mapping[tuple[str, str, str], str]


@dataclass
class Pending:
    """A figure that passed the checks, to write."""

    assignment: Assignment
    indicator: Indicator
    period: str
    value: Decimal | None
    inputs: dict[str, str]
    entry: MetricEntry | None  # what is there now


@dataclass
class TableCheck:
    """What checking a table needs along the way, and what it found."""

    expected: Expected
    source: ChangeSource
    review: Holder | None
    errors: list[CellError] = field(default_factory=list)
    before: dict[tuple[str, str, str], str] = field(default_factory=dict)
    periods: set[str] = field(default_factory=set)
    existing: dict[tuple[int, int, str], MetricEntry] = field(default_factory=dict)


@dataclass(frozen=True)
class _Subject:
    """Whose figures of which period a row gives, and the plan they go to."""

    row: Row
    assignment: Assignment
    version: VersionRules
    period: Period
    owner: Holder | None  # the quarterly review that holds this row's quarterly ratings, if any

    @property
    def employee(self) -> str:
        return self.assignment.employee.username


def assignment_at(assignments: Sequence[Assignment], period: Period) -> Assignment | None:
    """The assignment in force in a month, or in a quarter's last assigned month.

    ``assignments``: one employee's, ordered by start.
    """
    last_month = str(period.last_month())
    current = None
    for assignment in assignments:
        if assignment.start <= last_month:
            current = assignment
    return current


def figures_check(table: Table, *, check: TableCheck, employees: set[str] | None) -> list[Pending]:
    """The figures a table gives; every problem goes to ``check.errors``.

    The cycles of the table's periods and the figures there are now are locked until the
    caller's transaction ends.
    """
    columns, check.errors = _columns(table)
    if check.errors:
        return []
    known_people, allowed, assignments = _people_named(table, employees)
    rules = version_rules(version_ids={a.version_id for items in assignments.values() for a in items})

    # First who and when each row is about; then, with the rows' periods known, their cycles.
    rows = _rows_placed(table, known_people, allowed, check=check)
    unknown = _unknown_columns(columns, rules, [row for row, _employee, _period in rows])
    check.errors += [
        CellError(
            1,
            "",
            _("Row 1: unknown column “%(column)s”: no plan of these employees has that indicator or input")
            % {"column": column.name},
        )
        for column in unknown
    ]
    columns = [column for column in columns if column not in unknown]
    check.periods = {str(period) for _row, _employee, period in rows}
    cycles_lock(periods=check.periods)
    statuses = closures(periods=check.periods)  # read under the lock: no close starts or ends meanwhile
    quarters = {(employee, str(period)) for _row, employee, period in rows if period.is_quarter}
    owners = quarterly_holders(quarters=quarters, writer=check.review)
    entries = (
        MetricEntry.objects.select_for_update()
        .filter(assignment__in=[a for items in assignments.values() for a in items], period__in=check.periods)
        .order_by("pk")  # one order: two saves of the same figures queue instead of deadlocking
    )
    check.existing = {(entry.assignment_id, entry.indicator_id, str(entry.period)): entry for entry in entries}

    pending: list[Pending] = []
    for row, employee, period in rows:
        in_force, refusal = _row_assignment(employee, period, assignments.get(employee, []), statuses[str(period)])
        if in_force is None:
            check.errors.append(CellError(row.number, "period", refusal))
            continue
        subject = _Subject(row, in_force, rules[in_force.version_id], period, owners.get((employee, str(period))))
        pending += _row_entries(subject, columns, check=check)
    return pending


def _columns(table: Table) -> tuple[list[Column], list[CellError]]:
    errors = [
        CellError(1, "", _("Row 1: the column “%(column)s” is missing") % {"column": name})
        for name in ("employee", "period")
        if name not in table.header
    ]
    columns = []
    for name in table.header:
        if name in ("employee", "period"):
            continue
        indicator, _dot, input_name = name.partition(".")
        if not indicator or (_dot and not input_name):
            errors.append(
                CellError(
                    1, "", _("Row 1: “%(column)s” is not an indicator code or indicator.input") % {"column": name}
                )
            )
            continue
        columns.append(Column(name=name, indicator=indicator, input=input_name))
    return columns, errors


def _people_named(table: Table, employees: set[str] | None) -> tuple[set[str], set[str], dict[str, list[Assignment]]]:
    """Who of the people a table names exists, who of them are among ``employees`` (anyone when
    None), and the assignments of those, by user name and in order of start."""
    usernames = {row.cells["employee"] for row in table.rows if row.cells["employee"]}
    known_people = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    allowed = known_people if employees is None else known_people & employees
    assignments: dict[str, list[Assignment]] = {}
    for assignment in (
        Assignment.objects.filter(employee__username__in=allowed).select_related("employee").order_by("start")
    ):
        assignments.setdefault(assignment.employee.username, []).append(assignment)
    return known_people, allowed, assignments


def _rows_placed(
    table: Table, known_people: set[str], allowed: set[str], *, check: TableCheck
) -> list[tuple[Row, str, Period]]:
    """Each row with the employee and period it is about; a row that does not say goes to ``check.errors``."""
    rows: list[tuple[Row, str, Period]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        employee, period_text = row.cells["employee"], row.cells["period"]
        problem = _employee_problem(employee, known_people, allowed)
        if problem:
            check.errors.append(CellError(row.number, "employee", problem))
            continue
        period, problem = _period_read(period_text)
        if period is None:
            check.errors.append(CellError(row.number, "period", problem))
            continue
        if (employee, str(period)) in seen:
            check.errors.append(
                CellError(
                    row.number,
                    "period",
                    _("%(employee)s %(period)s is already on row %(other)s")
                    % {"employee": employee, "period": period, "other": seen[(employee, str(period))]},
                )
            )
            continue
        seen[(employee, str(period))] = row.number
        rows.append((row, employee, period))
    return rows


def _employee_problem(employee: str, known_people: set[str], allowed: set[str]) -> str:
    """Why a row's employee cell names nobody the caller may enter figures for, or ""."""
    if not employee:
        return _("is empty")
    if employee not in known_people:
        return _("unknown employee “%(value)s”") % {"value": employee}
    if employee not in allowed:
        return _("“%(value)s” is not one of your reports") % {"value": employee}
    return ""


def _period_read(text: str) -> tuple[Period | None, str]:
    """(the period a cell names, "") or (None, why it names none)."""
    try:
        return Period.from_cell(text), ""
    except PeriodError as error:
        message = (
            _("“%(value)s” is outside the periods from 2000-01 to 2100-12")
            if error.out_of_range
            else _("“%(value)s” is not a month like 2026-01 or a quarter like 2026-Q1")
        )
        return None, message % {"value": text}


def _row_assignment(
    employee: str, period: Period, assignments: Sequence[Assignment], closed: Closure
) -> tuple[Assignment | None, str]:
    """(the assignment a row's figures go to, "") or (None, why the row's period takes none)."""
    if closed.everyone:
        message = (
            _("%(period)s is closed: it takes no new or changed figures")
            if closed.status == CycleStatus.CLOSED
            else _("%(period)s is being closed: it takes no new or changed figures")
        )
        return None, message % {"period": period}
    in_force = assignment_at(assignments, period)
    if in_force is not None and closed.closes(in_force.employee_id):
        message = (
            _("%(period)s is closed for %(employee)s: it takes no new or changed figures of theirs")
            if closed.status == CycleStatus.OPEN
            else _("%(period)s is being closed for %(employee)s: it takes no new or changed figures of theirs")
        )
        return None, message % {"period": period, "employee": employee}
    if in_force is not None:
        return in_force, ""
    if assignments:
        return None, _("%(period)s is before %(employee)s’s plan starts (%(start)s)") % {
            "period": period,
            "employee": employee,
            "start": assignments[0].start,
        }
    return None, _("%(employee)s is not assigned a plan") % {"employee": employee}


def _unknown_columns(columns: list[Column], rules: dict[int, VersionRules], rows: list[Row]) -> list[Column]:
    """The columns no plan of the table's employees has, that some row gives a value in.

    An empty column of another plan is fine: the grid posts every column of a team whose people
    are on several plans, and only the rows of the people whose figures changed.
    """
    known: set[str] = set()
    for version in rules.values():
        for code, indicator in version.indicators.items():
            known.add(code)
            known.update(f"{code}.{name}" for name in indicator.inputs)
    return [c for c in columns if c.name not in known and any(row.cells.get(c.name, "") != "" for row in rows)]


def _cell_limits(indicator: Indicator, input_name: str) -> tuple[bool, Decimal | None, Decimal | None]:
    """How a cell may be written (SPEC.md section 7): whether a trailing % is accepted, and the
    valid range of the indicator's value or of its formula input ``input_name``.

    A percentage is accepted for an indicator whose unit is %; a formula's inputs have no unit.
    """
    minimum, maximum = value_limits(indicator=indicator).get(input_name, (None, None))
    return (not input_name and indicator.unit.strip() == "%"), minimum, maximum


def _row_entries(subject: _Subject, columns: list[Column], *, check: TableCheck) -> list[Pending]:
    """The figures a row gives; its problems go to ``check.errors``."""
    given: dict[str, dict[str, Decimal]] = {}  # indicator code -> {input or "": value}
    for column in columns:
        text = subject.row.cells.get(column.name, "")
        if text == "":
            continue  # an empty cell changes nothing
        number = _cell_number(subject, column, text, check=check)
        if number is not None:
            given.setdefault(column.indicator, {})[column.input] = number
    pending = []
    for code, values in given.items():
        item = _figure_pending(subject, code, values, check=check)
        if item is not None:
            pending.append(item)
    return pending


def _cell_number(subject: _Subject, column: Column, text: str, *, check: TableCheck) -> Decimal | None:
    """The number a cell gives; None when it is refused, its problem in ``check.errors``."""
    number = subject.row.number
    indicator = subject.version.indicators.get(column.indicator)
    problem = _column_problem(subject, column, indicator)
    if indicator is None or problem:
        check.errors.append(CellError(number, column.name, problem))
        return None
    percent, minimum, maximum = _cell_limits(indicator, column.input)
    try:
        given = number_parse(text, percent=percent, minimum=minimum, maximum=maximum)
    except NumberError as error:
        check.errors.append(CellError(number, column.name, error.message))
        return None
    entry = check.existing.get((subject.assignment.pk, indicator.pk, str(subject.period)))
    stored = _stored(entry, column)
    key = (subject.employee, str(subject.period), column.name)
    check.before[key] = "" if stored is None else number_shown(stored)
    if subject.owner is not None and stored != given:
        check.errors.append(CellError(number, column.name, _reviewed(subject, indicator, subject.owner)))
        return None
    loaded = check.expected.get(key)
    if loaded is not None and stored != _loaded_number(loaded) and stored != given:
        # Two people typing the same figure do not conflict.
        check.errors.append(_conflict_error(number, column, entry, check.source))
        return None
    return given


def _column_problem(subject: _Subject, column: Column, indicator: Indicator | None) -> str:
    """Why a row's plan takes no value in this column, or ""."""
    if indicator is None or (column.input and column.input not in indicator.inputs):
        return _("%(employee)s’s plan has no “%(column)s”") % {"employee": subject.employee, "column": column.name}
    if not column.input and indicator.formula:
        return _("%(indicator)s is computed from its inputs: give %(columns)s") % {
            "indicator": indicator.name,
            "columns": ", ".join(f"{indicator.code}.{i}" for i in indicator.inputs),
        }
    period = subject.period
    wanted = Frequency.MONTHLY if period.is_month else Frequency.QUARTERLY
    if indicator.frequency != wanted:
        message = (
            _("%(indicator)s is entered once a quarter, not for the month %(period)s")
            if period.is_month
            else _("%(indicator)s is entered every month, not for the quarter %(period)s")
        )
        return message % {"indicator": indicator.name, "period": period}
    return ""


def _reviewed(subject: _Subject, indicator: Indicator, owner: Holder) -> str:
    return _(
        "%(employee)s %(period)s %(indicator)s is rated in the quarterly review (opened %(opened)s): change it there"
    ) % {
        "employee": subject.employee,
        "period": subject.period,
        "indicator": indicator.code,
        "opened": timezone.localdate(owner.created_at).isoformat(),
    }


def _figure_pending(subject: _Subject, code: str, values: dict[str, Decimal], *, check: TableCheck) -> Pending | None:
    """An indicator's figure from the cells a row gives of it; None when it is refused."""
    indicator = subject.version.indicators[code]
    rule = next(r for r in subject.version.rules.indicators if r.code == code)
    entry = check.existing.get((subject.assignment.pk, indicator.pk, str(subject.period)))
    inputs: dict[str, str] = dict(entry.inputs) if entry else {}
    if indicator.formula:
        inputs.update({name: number_text(number) for name, number in values.items()})
        value, problem = _formula_value(subject, indicator, inputs)
    else:
        value, problem = values[""], ""
    problem = problem or _scale_problem(rule, value)
    if problem:
        check.errors.append(CellError(subject.row.number, code, problem))
        return None
    return Pending(
        assignment=subject.assignment,
        indicator=indicator,
        period=str(subject.period),
        value=value,
        inputs=inputs,
        entry=entry,
    )


def _formula_value(subject: _Subject, indicator: Indicator, inputs: dict[str, str]) -> tuple[Decimal | None, str]:
    """(a formula's value, "") as the close computes it; (None, "") until every input is given;
    (None, why) when its result is refused."""
    if not all(name in inputs for name in indicator.inputs):
        return None, ""
    where = {
        "employee": subject.employee,
        "period": subject.period,
        "indicator": indicator.name,
        "formula": indicator.formula,
    }
    try:
        numbers = {name: Decimal(inputs[name]) for name in indicator.inputs}
        value = q4(formulas.evaluate(_formula(indicator.formula), numbers))  # as the close computes it
        _percent, minimum, maximum = _cell_limits(indicator, "")
        return number_check(value, minimum=minimum, maximum=maximum), ""
    except formulas.FormulaDivisionByZero:
        return None, _("%(employee)s %(period)s %(indicator)s: %(formula)s divides by zero") % where
    except (NumberError, ArithmeticError) as error:
        reason = error.message if isinstance(error, NumberError) else _("it is too large to compute")
        return None, _("%(employee)s %(period)s %(indicator)s: the result of %(formula)s is refused: %(reason)s") % {
            **where,
            "reason": reason,
        }


def _scale_problem(rule: IndicatorRule, value: Decimal | None) -> str:
    """Why a rating lies outside its scale, or ""."""
    if value is None or rule.method != Method.RATING or rule.scale is None or 0 <= value <= rule.scale:
        return ""
    return _("the rating %(value)s is outside its scale of 0 to %(scale)s") % {
        "value": value,
        "scale": number_shown(rule.scale),
    }


# A formula is parsed once, not once a row: its tree is immutable.
_formula = functools.lru_cache(maxsize=256)(formulas.parse)


def _stored(entry: MetricEntry | None, column: Column) -> Decimal | None:
    """What a column's cell holds now: an input, or the indicator's own value."""
    if entry is None:
        return None
    if column.input:
        text = entry.inputs.get(column.input)
        return None if text is None else Decimal(text)
    return entry.value


def _loaded_number(text: str) -> Decimal | None:
    """A cell as a page was loaded with it (or a preview saw it): text this module wrote."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _conflict_error(number: int, column: Column, entry: MetricEntry | None, source: ChangeSource) -> CellError:
    stored = _stored(entry, column)
    who = entry.updated_by if entry is not None and entry.updated_by_id else None
    message = (
        _("changed since the preview by %(user)s to %(value)s; check the file again to replace it with yours")
        if source == ChangeSource.UPLOAD
        else _("changed meanwhile by %(user)s to %(value)s; save again to replace it with yours")
    )
    return CellError(
        number,
        column.name,
        message % {"user": who.username if who else _("someone else"), "value": number_shown(stored)},
        current="" if stored is None else number_shown(stored),
    )


def number_shown(value: Decimal | None) -> str:
    """A figure in a message or an import's list of changes."""
    # plans.numbers.number_text, but a message says "—" where a cell holds nothing.
    return "—" if value is None else number_text(value)
