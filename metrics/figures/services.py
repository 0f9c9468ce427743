"""Writes of figures: the metrics import, the team grid and uploads all go through here."""

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.cycles.locks import cycles_lock
from metrics.cycles.models import CycleStatus
from metrics.figures.holders import Holder, quarterly_holders
from metrics.figures.models import ChangeSource, MetricChange, MetricEntry
from metrics.figures.pgcopy import rows_insert, rows_update
from people.models import User
from plans import formula as formulas
from plans.models import Assignment, Indicator
from plans.numbers import NumberError, number_check, number_parse, number_text
from plans.periods import Period, PeriodError
from plans.scoring import Frequency, Method, q4
from plans.selectors import VersionRules, value_limits, version_rules
from plans.tabular import Row, Table, TableError, row_error


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


class FiguresError(TableError):
    """A refused import: ``errors`` as text (one line each), ``cells`` the same, structured."""

    def __init__(self, cells: list[CellError]) -> None:
        super().__init__([_error_text(cell) for cell in cells])
        self.cells = cells


def _error_text(cell: CellError) -> str:
    if cell.row <= 1 and not cell.column:
        return cell.message  # a header problem already says "Row 1"
    return row_error(cell.row, cell.column, cell.message)


# The cells a grid was loaded with: (employee, period, column) -> the text shown then.
Expected = Mapping[tuple[str, str, str], str]


@dataclass
class ImportOutcome:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)  # "li.lei 2026-01 churn: 4.0000 → 3.8462"
    # What each cell the table gives held when it was checked ("" for nothing): an upload's
    # preview keeps it, so that its Apply is checked against it as a stale grid is.
    before: dict[tuple[str, str, str], str] = field(default_factory=dict)
    periods: set[str] = field(default_factory=set)  # the periods of the table's rows


@dataclass
class _Pending:
    assignment: Assignment
    indicator: Indicator
    period: str
    value: Decimal | None
    inputs: dict[str, str]
    entry: MetricEntry | None  # what is there now


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


def metrics_import(
    *,
    table: Table,
    user: User | None = None,
    dry_run: bool = False,
    source: ChangeSource = ChangeSource.IMPORT,
    expected: Expected | None = None,
    employees: set[str] | None = None,
    review: Holder | None = None,
) -> ImportOutcome:
    """Import a metrics file: all or nothing, every bad row listed by number; idempotent.

    With ``dry_run`` nothing is saved and the outcome says what would change. Every change is
    recorded (``MetricChange``) with ``user`` and ``source``.

    ``expected``: what each given cell held when the page was loaded (or the upload previewed).
    A cell whose stored value differs now was changed by someone else meanwhile: the import is
    refused with that value (compared under the rows' locks, so two saves cannot both pass).
    ``employees``: the only people the caller may enter figures for; anyone else is refused.
    ``review``: the quarterly review writing its own ratings (recorded as the review's). Anyone
    else is refused the quarterly ratings of an employee whose review of that quarter exists
    (SPEC.md section 7): they change only through the review, whose steps are their audit.

    The cycles of the table's periods stay locked against a close until the caller's
    transaction ends, so a close never scores figures older than a save it let through.

    Raises ``FiguresError`` (a ``TableError``) listing every problem.
    """
    if review is not None:
        source = ChangeSource.REVIEW
    try:
        with transaction.atomic():
            check = _Check(expected=expected or {}, source=source, review=review)
            pending = _metrics_check(table, check=check, employees=employees)
            if check.errors:
                raise FiguresError(sorted(check.errors, key=lambda cell: cell.row))
            outcome = _metrics_apply(pending, user=user, dry_run=dry_run, source=source)
            outcome.before, outcome.periods = check.before, check.periods
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:
        # Two saves creating the same figure at once: the rows did not exist to be locked, so
        # the unique constraint catches the second one instead.
        raise FiguresError(
            [CellError(0, "", _("Someone else saved some of these figures at the same moment: load them again."))]
        ) from error
    return outcome


@dataclass
class _Check:
    """What checking a table needs along the way, and what it found."""

    expected: Expected
    source: ChangeSource
    review: Holder | None
    errors: list[CellError] = field(default_factory=list)
    before: dict[tuple[str, str, str], str] = field(default_factory=dict)
    periods: set[str] = field(default_factory=set)
    existing: dict[tuple[int, int, str], MetricEntry] = field(default_factory=dict)


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


def _metrics_check(table: Table, *, check: _Check, employees: set[str] | None) -> list[_Pending]:
    columns, check.errors = _columns(table)
    if check.errors:
        return []
    usernames = {row.cells["employee"] for row in table.rows if row.cells["employee"]}
    known_people = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    allowed = known_people if employees is None else known_people & employees
    assignments: dict[str, list[Assignment]] = {}
    for assignment in (
        Assignment.objects.filter(employee__username__in=allowed).select_related("employee").order_by("start")
    ):
        assignments.setdefault(assignment.employee.username, []).append(assignment)
    rules = version_rules(version_ids={a.version_id for items in assignments.values() for a in items})

    # First who and when each row is about; then, with the rows' periods known, their cycles.
    rows: list[tuple[Row, str, Period]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        employee, period_text = row.cells["employee"], row.cells["period"]
        if not employee:
            check.errors.append(CellError(row.number, "employee", _("is empty")))
            continue
        if employee not in known_people:
            check.errors.append(
                CellError(row.number, "employee", _("unknown employee “%(value)s”") % {"value": employee})
            )
            continue
        if employee not in allowed:
            check.errors.append(
                CellError(row.number, "employee", _("“%(value)s” is not one of your reports") % {"value": employee})
            )
            continue
        try:
            period = Period.from_cell(period_text)
        except PeriodError as error:
            message = (
                _("“%(value)s” is outside the periods from 2000-01 to 2100-12")
                if error.out_of_range
                else _("“%(value)s” is not a month like 2026-01 or a quarter like 2026-Q1")
            )
            check.errors.append(CellError(row.number, "period", message % {"value": period_text}))
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
    statuses = cycles_lock(periods=check.periods)
    quarters = {(employee, str(period)) for _row, employee, period in rows if period.is_quarter}
    owners = quarterly_holders(quarters=quarters, writer=check.review)
    entries = (
        MetricEntry.objects.select_for_update()
        .filter(assignment__in=[a for items in assignments.values() for a in items], period__in=check.periods)
        .order_by("pk")  # one order: two saves of the same figures queue instead of deadlocking
    )
    check.existing = {(entry.assignment_id, entry.indicator_id, entry.period): entry for entry in entries}

    pending: list[_Pending] = []
    for row, employee, period in rows:
        status = statuses.get(str(period), CycleStatus.OPEN)
        if status != CycleStatus.OPEN:
            message = (
                _("%(period)s is closed: it takes no new or changed figures")
                if status == CycleStatus.CLOSED
                else _("%(period)s is being closed: it takes no new or changed figures")
            )
            check.errors.append(CellError(row.number, "period", message % {"period": period}))
            continue
        in_force = assignment_at(assignments.get(employee, []), period)
        if in_force is None:
            first = assignments.get(employee)
            message = (
                _("%(period)s is before %(employee)s’s plan starts (%(start)s)")
                % {"period": period, "employee": employee, "start": first[0].start}
                if first
                else _("%(employee)s is not assigned a plan") % {"employee": employee}
            )
            check.errors.append(CellError(row.number, "period", message))
            continue
        pending += _row_entries(
            row,
            columns,
            in_force,
            rules[in_force.version_id],
            period,
            check=check,
            owner=owners.get((employee, str(period))),
        )
    return pending


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


def _row_entries(
    row: Row,
    columns: list[Column],
    assignment: Assignment,
    version: VersionRules,
    period: Period,
    *,
    check: _Check,
    owner: Holder | None,
) -> list[_Pending]:
    """The figures a row gives; its problems go to ``check.errors``.

    ``owner``: the quarterly review that holds this row's quarterly ratings, if any.
    """
    number = row.number
    errors = check.errors
    given: dict[str, dict[str, Decimal]] = {}  # indicator code -> {input or "": value}
    employee = assignment.employee.username
    for column in columns:
        text = row.cells.get(column.name, "")
        if text == "":
            continue  # an empty cell changes nothing
        indicator = version.indicators.get(column.indicator)
        if indicator is None or (column.input and column.input not in indicator.inputs):
            errors.append(
                CellError(
                    number,
                    column.name,
                    _("%(employee)s’s plan has no “%(column)s”") % {"employee": employee, "column": column.name},
                )
            )
            continue
        if not column.input and indicator.formula:
            errors.append(
                CellError(
                    number,
                    column.name,
                    _("%(indicator)s is computed from its inputs: give %(columns)s")
                    % {
                        "indicator": indicator.code,
                        "columns": ", ".join(f"{indicator.code}.{i}" for i in indicator.inputs),
                    },
                )
            )
            continue
        wanted = Frequency.MONTHLY if period.is_month else Frequency.QUARTERLY
        if indicator.frequency != wanted:
            message = (
                _("%(indicator)s is entered once a quarter, not for the month %(period)s")
                if period.is_month
                else _("%(indicator)s is entered every month, not for the quarter %(period)s")
            )
            errors.append(CellError(number, column.name, message % {"indicator": indicator.code, "period": period}))
            continue
        percent, minimum, maximum = _cell_limits(indicator, column.input)
        try:
            number_given = number_parse(text, percent=percent, minimum=minimum, maximum=maximum)
        except NumberError as error:
            errors.append(CellError(number, column.name, error.message))
            continue
        entry = check.existing.get((assignment.pk, indicator.pk, str(period)))
        stored = _stored(entry, column)
        key = (employee, str(period), column.name)
        check.before[key] = "" if stored is None else _shown(stored)
        if owner is not None and stored != number_given:
            errors.append(
                CellError(
                    number,
                    column.name,
                    _(
                        "%(employee)s %(period)s %(indicator)s is rated in the quarterly review "
                        "(opened %(opened)s): change it there"
                    )
                    % {
                        "employee": employee,
                        "period": period,
                        "indicator": indicator.code,
                        "opened": timezone.localdate(owner.created_at).isoformat(),
                    },
                )
            )
            continue
        loaded = check.expected.get(key)
        if loaded is not None and stored != _loaded_number(loaded) and stored != number_given:
            # Two people typing the same figure do not conflict.
            errors.append(_conflict_error(number, column, entry, check.source))
            continue
        given.setdefault(indicator.code, {})[column.input] = number_given

    pending = []
    for code, values in given.items():
        indicator = version.indicators[code]
        rule = next(r for r in version.rules.indicators if r.code == code)
        entry = check.existing.get((assignment.pk, indicator.pk, str(period)))
        inputs: dict[str, str] = dict(entry.inputs) if entry else {}
        value: Decimal | None = None
        if indicator.formula:
            inputs.update({name: number_text(number) for name, number in values.items()})
            if all(name in inputs for name in indicator.inputs):
                where = {"employee": employee, "period": period, "indicator": code, "formula": indicator.formula}
                try:
                    numbers = {name: Decimal(inputs[name]) for name in indicator.inputs}
                    value = q4(formulas.evaluate(_formula(indicator.formula), numbers))  # as the close computes it
                    _percent, minimum, maximum = _cell_limits(indicator, "")
                    value = number_check(value, minimum=minimum, maximum=maximum)
                except formulas.FormulaDivisionByZero:
                    errors.append(
                        CellError(
                            number,
                            code,
                            _("%(employee)s %(period)s %(indicator)s: %(formula)s divides by zero") % where,
                        )
                    )
                    continue
                except (NumberError, ArithmeticError) as error:
                    reason = error.message if isinstance(error, NumberError) else _("it is too large to compute")
                    errors.append(
                        CellError(
                            number,
                            code,
                            _("%(employee)s %(period)s %(indicator)s: the result of %(formula)s is refused: %(reason)s")
                            % {**where, "reason": reason},
                        )
                    )
                    continue
        else:
            value = values[""]
        if (
            value is not None
            and rule.method == Method.RATING
            and rule.scale is not None
            and not 0 <= value <= rule.scale
        ):
            errors.append(
                CellError(
                    number,
                    code,
                    _("the rating %(value)s is outside its scale of 0 to %(scale)s")
                    % {"value": value, "scale": _shown(rule.scale)},
                )
            )
            continue
        pending.append(
            _Pending(
                assignment=assignment, indicator=indicator, period=str(period), value=value, inputs=inputs, entry=entry
            )
        )
    return pending


# A formula is parsed once, not once a row: its tree is immutable.
_formula = functools.lru_cache(maxsize=256)(formulas.parse)


def _metrics_apply(pending: list[_Pending], *, user: User | None, dry_run: bool, source: ChangeSource) -> ImportOutcome:
    outcome = ImportOutcome()
    now = timezone.now()
    user_id = user.pk if user else None
    created: list[tuple[object, ...]] = []
    changed: list[tuple[object, ...]] = []
    audit: list[tuple[object, ...]] = []
    for item in pending:
        entry = item.entry
        label = f"{item.assignment.employee.username} {item.period} {item.indicator.code}"
        inputs = json.dumps(item.inputs, ensure_ascii=False)
        if entry is None:
            created.append((item.assignment.pk, item.indicator.pk, item.period, item.value, inputs, now, user_id))
            outcome.changes.append(f"{label}: {_shown(item.value)}")
            old_value, old_inputs = None, "{}"
        elif entry.value != item.value or _as_numbers(entry.inputs) != _as_numbers(item.inputs):
            outcome.changes.append(f"{label}: {_shown(entry.value)} → {_shown(item.value)}")
            old_value, old_inputs = entry.value, json.dumps(entry.inputs, ensure_ascii=False)
            changed.append((entry.pk, item.value, inputs, user_id, now))
        else:
            outcome.unchanged += 1
            continue
        if dry_run:
            continue
        audit.append(
            (
                item.assignment.pk,
                item.indicator.pk,
                item.period,
                old_value,
                item.value,
                old_inputs,
                inputs,
                entry is None,
                source.value,
                user_id,
                now,
            )
        )
    outcome.created, outcome.changed = len(created), len(changed)
    if not dry_run:
        rows_insert(
            MetricEntry,
            ["assignment", "indicator", "period", "value", "inputs", "updated_at", "updated_by"],
            created,
        )
        rows_update(MetricEntry, ["value", "inputs", "updated_by", "updated_at"], changed)
        audit_fields = ["assignment", "indicator", "period", "old_value", "new_value", "old_inputs"]
        audit_fields += ["new_inputs", "created", "source", "user", "at"]
        rows_insert(
            MetricChange,
            audit_fields,
            audit,
        )
    return outcome


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
        message % {"user": who.username if who else _("someone else"), "value": _shown(stored)},
        current="" if stored is None else _shown(stored),
    )


def _as_numbers(inputs: dict[str, str]) -> dict[str, Decimal]:
    return {name: Decimal(value) for name, value in inputs.items()}


def _shown(value: Decimal | None) -> str:
    # number_text, but a message says "—" where a cell holds nothing.
    return "—" if value is None else number_text(value)
