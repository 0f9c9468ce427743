"""Writes of figures: the metrics import, the team grid and uploads all go through here.

What a table gives is checked first (``checks.py``); only a table without a problem is written.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.figures.checks import CellError, Expected, Pending, TableCheck, figures_check, number_shown
from metrics.figures.holders import Holder
from metrics.figures.models import ChangeSource, MetricChange, MetricEntry
from metrics.figures.pgcopy import rows_insert, rows_update
from people.models import User
from plans.tabular import Table, TableError, row_error


class FiguresError(TableError):
    """A refused import: ``errors`` as text (one line each), ``cells`` the same, structured."""

    def __init__(self, cells: list[CellError]) -> None:
        super().__init__([_error_text(cell) for cell in cells])
        self.cells = cells


def _error_text(cell: CellError) -> str:
    if cell.row <= 1 and not cell.column:
        return cell.message  # a header problem already says "Row 1"
    return row_error(cell.row, cell.column, cell.message)


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


def metrics_import(
    *,
    table: Table,
    user: User | None = None,
    dry_run: bool = False,
    source: ChangeSource = ChangeSource.IMPORT,
    expected: Expected | None = None,
    employees: set[str] | None = None,
    review: Holder | None = None,
    client: str = "",
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
    ``client``: the integration that sent the figures (an API token's name), kept in the audit.

    The cycles of the table's periods stay locked against a close until the caller's
    transaction ends, so a close never scores figures older than a save it let through.

    Raises ``FiguresError`` (a ``TableError``) listing every problem.
    """
    if review is not None:
        source = ChangeSource.REVIEW
    try:
        with transaction.atomic():
            check = TableCheck(expected=expected or {}, source=source, review=review)
            pending = figures_check(table, check=check, employees=employees)
            if check.errors:
                raise FiguresError(sorted(check.errors, key=lambda cell: cell.row))
            outcome = _metrics_apply(pending, user=user, dry_run=dry_run, source=source, client=client)
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


def _metrics_apply(
    pending: list[Pending], *, user: User | None, dry_run: bool, source: ChangeSource, client: str = ""
) -> ImportOutcome:
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
            outcome.changes.append(f"{label}: {number_shown(item.value)}")
            old_value, old_inputs = None, "{}"
        elif entry.value != item.value or _as_numbers(entry.inputs) != _as_numbers(item.inputs):
            outcome.changes.append(f"{label}: {number_shown(entry.value)} → {number_shown(item.value)}")
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
                client,
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
        audit_fields += ["new_inputs", "created", "source", "client", "user", "at"]
        rows_insert(
            MetricChange,
            audit_fields,
            audit,
        )
    return outcome


def _as_numbers(inputs: dict[str, str]) -> dict[str, Decimal]:
    return {name: Decimal(value) for name, value in inputs.items()}
