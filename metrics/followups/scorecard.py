"""HR's follow-up decisions on a scorecard: registered with ``metrics.results.scorecards`` when Django
starts (the results sit below the follow-ups and cannot ask them).

Who reads a decision: the employee (with its note: it is meant for them), their manager (their
reports' decisions, to read only) and HR. Anyone else reads none, whoever let them see the page.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from metrics.followups.selectors import DecisionView, decisions_of
from metrics.results.release import periods_held
from metrics.results.scorecards import ScorecardNote
from people.access import HR_ROLES, has_role
from people.models import User


def decisions_readable(*, employee: User, viewer: User) -> bool:
    return viewer.pk == employee.pk or employee.manager_id == viewer.pk or has_role(viewer, *HR_ROLES)


def _status(decision: DecisionView) -> str:
    if not decision.is_warning:
        return ""
    if decision.acknowledged_at is None:
        return _("Not acknowledged yet")
    at = date_format(timezone.localtime(decision.acknowledged_at), "DATETIME_FORMAT")
    return _("Acknowledged on %(at)s") % {"at": at}


def scorecard_decisions(employee: User, viewer: User) -> list[ScorecardNote]:
    """The current decision of each of ``employee``'s periods, as ``viewer`` may read them; the
    employee's own unacknowledged formal warning comes with the button that acknowledges it."""
    if not decisions_readable(employee=employee, viewer=viewer):
        return []
    notes = []
    decisions = decisions_of(employee=employee).values()
    # A period held for calibration: its decisions wait for HR's release, as its results do.
    held = set(periods_held(employee=employee, viewer=viewer)) if decisions else set()
    for decision in decisions:
        if decision.period in held:
            continue
        own = decision.awaits_acknowledgement and viewer.pk == employee.pk
        notes.append(
            ScorecardNote(
                period=decision.period,
                title=_("HR’s follow-up: %(decision)s") % {"decision": decision.label},
                text=decision.note,
                by=decision.by,
                at=decision.at,
                status=_status(decision),
                action_url=reverse("metrics:follow_up_acknowledge", args=[decision.pk]) if own else "",
                action_label=_("I have read this warning") if own else "",
            )
        )
    return notes
