"""Writes of figures: the metrics import, the team grid and uploads all go through here."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.models import ChangeSource, Cycle, CycleStatus, MetricChange, MetricEntry
from people.models import User
from plans import formula as formulas
from plans.models import Assignment, Indicator
from plans.periods import Period, PeriodError
from plans.scoring import Frequency, Method, actual_from_inputs
from plans.selectors import VersionRules, version_rules
from plans.tabular import Table, TableError, cell_decimal, row_error

VALUE_PLACES = 6
VALUE_LIMIT = Decimal(10) ** 17


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
) -> ImportOutcome:
    """Import a metrics file: all or nothing, every bad row listed by number; idempotent.

    With ``dry_run`` nothing is saved and the outcome says what would change. Every change is
    recorded (``MetricChange``) with ``user`` and ``source``.

    ``expected``: what each given cell held when the page was loaded. A cell whose stored
    value differs now was changed by someone else meanwhile: the import is refused with that
    value (compared under the rows' locks, so two saves cannot both pass).
    ``employees``: the only people the caller may enter figures for; anyone else is unknown.

    Raises ``FiguresError`` (a ``TableError``) listing every problem.
    """
    try:
        with transaction.atomic():
            pending, errors = _metrics_check(table, expected=expected or {}, employees=employees)
            if errors:
                raise FiguresError(errors)
            outcome = _metrics_apply(pending, user=user, dry_run=dry_run, source=source)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:
        # Two saves creating the same figure at once: the rows did not exist to be locked, so
        # the unique constraint catches the second one instead.
        raise FiguresError(
            [CellError(0, "", _("Someone else saved some of these figures at the same moment: load them again."))]
        ) from error
    return outcome


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


def _metrics_check(
    table: Table, *, expected: Expected, employees: set[str] | None
) -> tuple[list[_Pending], list[CellError]]:
    columns, errors = _columns(table)
    if errors:
        return [], errors
    usernames = {row.cells["employee"] for row in table.rows}
    if employees is not None:
        usernames &= employees
    assignments: dict[str, list[Assignment]] = {}
    for assignment in (
        Assignment.objects.filter(employee__username__in=usernames).select_related("employee").order_by("start")
    ):
        assignments.setdefault(assignment.employee.username, []).append(assignment)
    known_people = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    rules = version_rules(version_ids={a.version_id for items in assignments.values() for a in items})
    errors += _unknown_columns(columns, rules)
    if errors:
        return [], errors
    periods = {row.cells["period"] for row in table.rows}
    shut = set(
        Cycle.objects.filter(period__in=periods).exclude(status=CycleStatus.OPEN).values_list("period", flat=True)
    )
    existing = {
        (entry.assignment_id, entry.indicator_id, entry.period): entry
        for entry in MetricEntry.objects.select_for_update().filter(
            assignment__in=[a for items in assignments.values() for a in items], period__in=periods
        )
    }

    pending: list[_Pending] = []
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        employee, period_text = row.cells["employee"], row.cells["period"]
        if not employee:
            errors.append(CellError(row.number, "employee", _("is empty")))
            continue
        if employee not in known_people:
            errors.append(CellError(row.number, "employee", _("unknown employee “%(value)s”") % {"value": employee}))
            continue
        try:
            period = Period.parse(period_text)
        except PeriodError:
            errors.append(
                CellError(
                    row.number,
                    "period",
                    _("“%(value)s” is not a month like 2026-01 or a quarter like 2026-Q1") % {"value": period_text},
                )
            )
            continue
        if (employee, str(period)) in seen:
            errors.append(
                CellError(
                    row.number,
                    "period",
                    _("%(employee)s %(period)s is already on row %(other)s")
                    % {"employee": employee, "period": period, "other": seen[(employee, str(period))]},
                )
            )
            continue
        seen[(employee, str(period))] = row.number
        if str(period) in shut:
            errors.append(
                CellError(
                    row.number,
                    "period",
                    _("%(period)s is closed: it takes no new or changed figures") % {"period": period},
                )
            )
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
            errors.append(CellError(row.number, "period", message))
            continue
        row_pending, row_errors = _row_entries(
            row.number, row.cells, columns, in_force, rules[in_force.version_id], period, existing, expected
        )
        pending += row_pending
        errors += row_errors
    return pending, errors


def _unknown_columns(columns: list[Column], rules: dict[int, VersionRules]) -> list[CellError]:
    known: set[str] = set()
    for version in rules.values():
        for code, indicator in version.indicators.items():
            known.add(code)
            known.update(f"{code}.{name}" for name in indicator.inputs)
    return [
        CellError(
            1,
            "",
            _("Row 1: unknown column “%(column)s”: no plan of these employees has that indicator or input")
            % {"column": c.name},
        )
        for c in columns
        if c.name not in known
    ]


def _row_entries(
    number: int,
    cells: dict[str, str],
    columns: list[Column],
    assignment: Assignment,
    version: VersionRules,
    period: Period,
    existing: dict[tuple[int, int, str], MetricEntry],
    expected: Expected,
) -> tuple[list[_Pending], list[CellError]]:
    errors: list[CellError] = []
    given: dict[str, dict[str, Decimal]] = {}  # indicator code -> {input or "": value}
    employee = assignment.employee.username
    for column in columns:
        text = cells.get(column.name, "")
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
        number_given = cell_decimal(text)
        if number_given is None:
            errors.append(CellError(number, column.name, _("“%(value)s” is not a number") % {"value": text}))
            continue
        if number_given.as_tuple().exponent < -VALUE_PLACES or abs(number_given) >= VALUE_LIMIT:  # type: ignore[operator]
            errors.append(
                CellError(
                    number,
                    column.name,
                    _("“%(value)s” has more than %(places)s decimals or is too large")
                    % {"value": text, "places": VALUE_PLACES},
                )
            )
            continue
        loaded = expected.get((employee, str(period), column.name))
        if loaded is not None:
            entry = existing.get((assignment.pk, indicator.pk, str(period)))
            if _changed_meanwhile(entry, column, loaded, number_given):
                errors.append(_conflict_error(number, column, entry))
                continue
        given.setdefault(indicator.code, {})[column.input] = number_given

    pending = []
    for code, values in given.items():
        indicator = version.indicators[code]
        rule = next(r for r in version.rules.indicators if r.code == code)
        entry = existing.get((assignment.pk, indicator.pk, str(period)))
        inputs: dict[str, str] = dict(entry.inputs) if entry else {}
        value: Decimal | None = None
        if indicator.formula:
            inputs.update({name: str(number) for name, number in values.items()})
            if all(name in inputs for name in indicator.inputs):
                try:
                    value = actual_from_inputs(rule, {name: Decimal(inputs[name]) for name in indicator.inputs})
                except formulas.FormulaDivisionByZero:
                    errors.append(
                        CellError(
                            number,
                            code,
                            _("%(employee)s %(period)s %(indicator)s: %(formula)s divides by zero")
                            % {"employee": employee, "period": period, "indicator": code, "formula": indicator.formula},
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
    return pending, errors


def _metrics_apply(pending: list[_Pending], *, user: User | None, dry_run: bool, source: ChangeSource) -> ImportOutcome:
    outcome = ImportOutcome()
    now = timezone.now()
    created, changed, audit = [], [], []
    for item in pending:
        entry = item.entry
        label = f"{item.assignment.employee.username} {item.period} {item.indicator.code}"
        if entry is None:
            created.append(
                MetricEntry(
                    assignment=item.assignment,
                    indicator=item.indicator,
                    period=item.period,
                    value=item.value,
                    inputs=item.inputs,
                    updated_by=user,
                    updated_at=now,
                )
            )
            outcome.changes.append(f"{label}: {_shown(item.value)}")
            old_value, old_inputs = None, {}
        elif entry.value != item.value or _as_numbers(entry.inputs) != _as_numbers(item.inputs):
            outcome.changes.append(f"{label}: {_shown(entry.value)} → {_shown(item.value)}")
            old_value, old_inputs = entry.value, dict(entry.inputs)
            entry.value, entry.inputs, entry.updated_by, entry.updated_at = item.value, item.inputs, user, now
            changed.append(entry)
        else:
            outcome.unchanged += 1
            continue
        audit.append(
            MetricChange(
                assignment=item.assignment,
                indicator=item.indicator,
                period=item.period,
                old_value=old_value,
                new_value=item.value,
                old_inputs=old_inputs,
                new_inputs=item.inputs,
                created=entry is None,
                source=source,
                user=user,
                at=now,
            )
        )
    outcome.created, outcome.changed = len(created), len(changed)
    if not dry_run:
        MetricEntry.objects.bulk_create(created)
        MetricEntry.objects.bulk_update(changed, ["value", "inputs", "updated_by", "updated_at"])
        MetricChange.objects.bulk_create(audit)
    return outcome


def _stored(entry: MetricEntry | None, column: Column) -> Decimal | None:
    """What a column's cell holds now: an input, or the indicator's own value."""
    if entry is None:
        return None
    if column.input:
        text = entry.inputs.get(column.input)
        return None if text is None else Decimal(text)
    return entry.value


def _changed_meanwhile(entry: MetricEntry | None, column: Column, loaded: str, given: Decimal) -> bool:
    """True when the cell holds something else than the page was loaded with (and than what is
    given now: two people typing the same figure do not conflict)."""
    stored = _stored(entry, column)
    return stored != cell_decimal(loaded) and stored != given


def _conflict_error(number: int, column: Column, entry: MetricEntry | None) -> CellError:
    stored = _stored(entry, column)
    who = entry.updated_by if entry is not None and entry.updated_by_id else None
    return CellError(
        number,
        column.name,
        _("changed meanwhile by %(user)s to %(value)s; save again to replace it with yours")
        % {"user": who.username if who else _("someone else"), "value": _shown(stored)},
        current="" if stored is None else _shown(stored),
    )


def _as_numbers(inputs: dict[str, str]) -> dict[str, Decimal]:
    return {name: Decimal(value) for name, value in inputs.items()}


def _shown(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"
