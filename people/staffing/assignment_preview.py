"""Assigning a plan after a preview: what would change first, then exactly that or nothing.

The preview says who gets which plan from when and whose bonus amounts change or are kept; its
digest covers that and the assignments it was worked out from. The confirmation works it out
again inside the transaction that writes, and writes only when the digest is the same: when
someone changed these people's assignments in between (another HR, another tab), it is refused
with a fresh preview, as an upload's Apply is refused the cells changed since its preview.
"""

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from people.models import User
from people.staffing.assignments import (
    AssignmentOutcome,
    AssignmentPlan,
    AssignmentRefused,
    Wish,
    assignment_amounts,
    assignment_outcome,
    assignment_wishes,
    assignments_plan_checked,
    assignments_write,
)
from plans.models import Assignment, PlanVersion
from plans.periods import Period


class AmountsChange(models.TextChoices):
    """What happens to a person's bonus amounts."""

    NEW = "new", pgettext_lazy("bonus amounts", "the amounts entered (none before)")
    CHANGED = "changed", pgettext_lazy("bonus amounts", "changed")
    KEPT = "kept", pgettext_lazy("bonus amounts", "their own, kept")
    SAME = "same", pgettext_lazy("bonus amounts", "as before")


@dataclass(frozen=True)
class PreviewLine:
    """One person: the plan they would be on from ``start``, and their amounts before and after."""

    employee: str  # user name
    name: str  # how a page names them
    plan: str  # the plan's name, of ``version``
    version: int
    start: Period  # the first month of the assignment in force after the change
    later: bool  # the change applies from the first open month, later than asked
    writes: bool  # False: this person stays as they are
    old_plan: str  # the plan in force before, "" for none
    plan_changes: bool  # to another plan or version than the one in force before
    old_version: int | None
    old_monthly: Decimal | None  # None: no assignment before
    old_quarterly: Decimal | None
    monthly: Decimal
    quarterly: Decimal
    amounts: AmountsChange
    old_annual: Decimal | None = None
    annual: Decimal = Decimal(0)


@dataclass(frozen=True)
class AssignmentPreview:
    lines: tuple[PreviewLine, ...]
    digest: str  # of the lines and the assignments they were worked out from

    @property
    def changing(self) -> int:
        return sum(1 for line in self.lines if line.writes)

    @property
    def kept(self) -> int:
        return sum(1 for line in self.lines if line.amounts == AmountsChange.KEPT)


class AssignmentStale(AssignmentRefused):
    """The assignments changed since the preview: nothing was written; ``preview`` is the fresh one."""

    def __init__(self, preview: AssignmentPreview) -> None:
        super().__init__(
            _(
                "These people's assignments changed after the preview (someone else assigned them meanwhile): "
                "nothing was saved. Check the new preview below and confirm again."
            )
        )
        self.preview = preview


def assignment_preview(
    *,
    employees: Iterable[User],
    version: PlanVersion,
    start: str,
    monthly_bonus: Decimal,
    quarterly_bonus: Decimal,
    overwrite_amounts: bool = False,
    annual_bonus: Decimal = Decimal(0),
) -> AssignmentPreview:
    """What putting ``employees`` on ``version`` from ``start`` would do, saving nothing.

    Unless ``overwrite_amounts``, whoever already has bonus amounts keeps them; people without
    any get the amounts given. Refused (``AssignmentRefused``) as the assignment itself would be.
    """
    people = list(employees)
    wishes = assignment_wishes(
        people=people,
        version=version,
        start=start,
        monthly_bonus=monthly_bonus,
        quarterly_bonus=quarterly_bonus,
        keep_own_amounts=not overwrite_amounts,
        annual_bonus=annual_bonus,
    )
    with transaction.atomic():
        return _preview(assignments_plan_checked(wishes), wishes, people)


def assignment_confirm(
    *,
    employees: Iterable[User],
    version: PlanVersion,
    start: str,
    monthly_bonus: Decimal,
    quarterly_bonus: Decimal,
    overwrite_amounts: bool = False,
    digest: str,
    annual_bonus: Decimal = Decimal(0),
) -> AssignmentOutcome:
    """Write what the preview with ``digest`` showed, all of it or nothing.

    Raises ``AssignmentStale`` (with the fresh preview) when the assignments of these people,
    or the people themselves, changed since; ``AssignmentRefused`` when the assignment is
    refused now (a month closed meanwhile).
    """
    people = list(employees)
    wishes = assignment_wishes(
        people=people,
        version=version,
        start=start,
        monthly_bonus=monthly_bonus,
        quarterly_bonus=quarterly_bonus,
        keep_own_amounts=not overwrite_amounts,
        annual_bonus=annual_bonus,
    )
    with transaction.atomic():
        plan = assignments_plan_checked(wishes)
        fresh = _preview(plan, wishes, people)
        if fresh.digest != digest:
            raise AssignmentStale(fresh)
        created, updated = assignments_write(plan, users={person.username: person for person in people})
    return assignment_outcome(plan, created=created, updated=updated)


def _preview(plan: AssignmentPlan, wishes: list[Wish], people: list[User]) -> AssignmentPreview:
    """The lines of a plan worked out for ``wishes`` (one per person of ``people``), in their order."""
    steps = {step.index: step for step in plan.steps}
    lines = []
    for index, (wish, person) in enumerate(zip(wishes, people, strict=True)):
        step = steps.get(index)
        if step is not None:
            current = step.existing or step.previous
            version, start = step.version, step.start
            amounts = (step.monthly_bonus, step.quarterly_bonus, step.annual_bonus)
        else:  # nothing changes: the assignment in force stays
            current = plan.untouched[index]
            version, start, amounts = current.version, current.start, assignment_amounts(current)
        lines.append(
            PreviewLine(
                employee=wish.employee,
                name=person.display_name or person.username,
                plan=version.name,
                version=version.number,
                start=Period.parse(start),
                later=step is not None and start != wish.start,
                writes=step is not None,
                old_plan=current.version.name if current is not None else "",
                plan_changes=current is not None and current.version_id != version.pk,
                old_version=current.version.number if current is not None else None,
                old_monthly=current.monthly_bonus if current is not None else None,
                old_quarterly=current.quarterly_bonus if current is not None else None,
                monthly=amounts[0],
                quarterly=amounts[1],
                amounts=_amounts_change(current, amounts, kept=index in plan.kept),
                old_annual=current.annual_bonus if current is not None else None,
                annual=amounts[2],
            )
        )
    return AssignmentPreview(lines=tuple(lines), digest=_digest(plan, lines))


def _amounts_change(
    current: Assignment | None, amounts: tuple[Decimal, Decimal, Decimal], *, kept: bool
) -> AmountsChange:
    if current is None:
        return AmountsChange.NEW
    if kept:
        return AmountsChange.KEPT
    same = assignment_amounts(current) == amounts
    return AmountsChange.SAME if same else AmountsChange.CHANGED


def _stamp(assignment: Assignment | None) -> list[object]:
    if assignment is None:
        return []
    return [assignment.pk, assignment.updated_at.isoformat(), assignment.version_id, assignment.start]


def _digest(plan: AssignmentPlan, lines: list[PreviewLine]) -> str:
    """A digest of what the preview shows and of the assignments it was worked out from."""
    shown = [dataclasses.asdict(line) for line in lines]
    read: list[object] = [
        [step.index, step.version.pk, *_stamp(step.existing), *_stamp(step.previous), step.next_start]
        for step in plan.steps
    ]
    read += [[index, *_stamp(assignment)] for index, assignment in sorted(plan.untouched.items())]
    read.append(sorted(plan.moves.items()))
    text = json.dumps([shown, read], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
