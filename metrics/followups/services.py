"""Writes of the follow-ups: HR records a decision for a flagged person, the employee acknowledges a
formal warning.

A decision is never overwritten: recording another one for the same person and period marks the
current one superseded and adds a row, so the history is every row, with who and when. Only HR
(and administrators) decide, never about themselves; only the employee acknowledges their own
current formal warning, once.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from metrics.followups.models import NOTE_MAX_LENGTH, Decision, FollowUpDecision
from metrics.followups.selectors import PLAN_CHOICE, decision_label, follow_up_result
from metrics.results.dashboards import person_name
from people.access import HR_ROLES, has_role
from people.models import User
from plans.errors import ApplicationError
from plans.formats import period_text
from plans.periods import Period


class FollowUpRefused(ApplicationError):
    """A decision or an acknowledgement that cannot be recorded, with the reason to show."""


@dataclass(frozen=True)
class DecideOutcome:
    decision: FollowUpDecision
    changed: bool  # False: the same decision and note were current already


def _choice_parse(choice: str, *, own: list[str]) -> tuple[str, str]:
    """A form's choice as (decision, name): a built-in decision, or ``plan:<name>`` of the plan's own."""
    if choice.startswith(PLAN_CHOICE):
        name = choice.removeprefix(PLAN_CHOICE)
        if name in own:
            return Decision.PLAN, name
        raise FollowUpRefused(_("“%(name)s” is not one of the plan’s own decisions (any more).") % {"name": name})
    if choice in Decision.values and choice != Decision.PLAN:
        return choice, ""
    raise FollowUpRefused(_("Choose a decision from the list."))


@transaction.atomic
def follow_up_decide(*, employee: User, period: Period, choice: str, note: str, user: User) -> DecideOutcome:
    """Record HR's decision ``choice`` for ``employee``, flagged in ``period``, with a note the
    employee reads; the decision it replaces stays in the history."""
    if not has_role(user, *HR_ROLES):
        raise PermissionDenied
    who = {"employee": person_name(employee), "period": period_text(period)}
    if employee.pk == user.pk:
        raise FollowUpRefused(_("Nobody decides their own follow-up: someone else in HR records it."))
    result = follow_up_result(employee=employee, period=period)
    if result is None:
        raise FollowUpRefused(_("%(employee)s has no flag in %(period)s: there is nothing to follow up.") % who)
    decision, name = _choice_parse(choice, own=result.version.template.follow_up_decisions)
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise FollowUpRefused(
            _("The note has %(count)s characters: at most %(max)s.") % {"count": len(note), "max": NOTE_MAX_LENGTH}
        )
    # One decision of a person at a time: their row is the lock; the unique current row the guard.
    User.objects.select_for_update().filter(pk=employee.pk).first()
    current = FollowUpDecision.objects.filter(employee=employee, period=period, superseded_at__isnull=True).first()
    if current is not None and (current.decision, current.name, current.note) == (decision, name, note):
        return DecideOutcome(decision=current, changed=False)
    now = timezone.now()
    if current is not None:
        current.superseded_at = now
        current.save(update_fields=["superseded_at"])
    try:
        with transaction.atomic():
            row = FollowUpDecision.objects.create(
                employee=employee,
                period=period,
                decision=decision,
                name=name,
                note=note,
                decided_by=user,
                decided_at=now,
            )
    except IntegrityError:
        raise FollowUpRefused(
            _("Someone recorded a decision for %(employee)s at the same time: reload the page and check it.") % who
        ) from None
    return DecideOutcome(decision=row, changed=True)


@transaction.atomic
def follow_up_acknowledge(*, decision: FollowUpDecision, user: User) -> FollowUpDecision:
    """``user`` acknowledges their formal warning: once, and only while it is HR's current decision."""
    if decision.employee_id != user.pk:
        raise PermissionDenied
    what = {"decision": decision_label(decision.decision, decision.name), "period": period_text(decision.period)}
    if decision.decision != Decision.FORMAL_WARNING:
        raise FollowUpRefused(_("Only a formal warning is acknowledged, not “%(decision)s”.") % what)
    now = timezone.now()
    # A conditional update: two clicks acknowledge once; a warning HR has just changed is not acknowledged.
    taken = FollowUpDecision.objects.filter(
        pk=decision.pk, superseded_at__isnull=True, acknowledged_at__isnull=True
    ).update(acknowledged_at=now)
    decision.refresh_from_db()
    if taken:
        return decision
    if decision.superseded_at is not None:
        raise FollowUpRefused(
            _("HR changed the decision of %(period)s: this warning no longer needs acknowledging.") % what
        )
    assert decision.acknowledged_at is not None
    raise FollowUpRefused(
        _("You acknowledged this warning on %(at)s already.")
        % {"at": date_format(timezone.localtime(decision.acknowledged_at), "DATETIME_FORMAT")}
    )
