"""Writes of logins: invitations sent, a person's language.

An invitation is a row (who, by whom, when) and an email with a one-time link, written by a
Celery task after the rows commit (in-process without a broker, as every task here). Only a
person who can use one is invited: active, with an email address, and no password yet (someone
with a password signs in, or asks for a reset).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from people.logins.models import Invitation
from people.logins.selectors import LoginState, login_state
from people.logins.signals import invitation_sent
from people.logins.tasks import invitation_emails_enqueue
from people.models import User
from plans.errors import ApplicationError


class InvitationRefused(ApplicationError):
    """Invitations HR asked for that cannot go: nobody chosen, nobody invitable…"""


@dataclass
class InvitationOutcome:
    invited: list[User] = field(default_factory=list)  # emails on their way
    no_email: list[User] = field(default_factory=list)  # not invitable: no address
    has_login: list[User] = field(default_factory=list)  # they have a password: they sign in
    disabled: list[User] = field(default_factory=list)  # inactive accounts


_SKIPPED = {
    LoginState.NO_EMAIL: "no_email",
    LoginState.SIGNED_IN: "has_login",
    LoginState.PASSWORD_SET: "has_login",
    LoginState.DISABLED: "disabled",
}


def invitations_send(
    *, people: Iterable[User], by: User | None, request: HttpRequest | None = None
) -> InvitationOutcome:
    """Invite each of ``people`` who can be (an email each, later); the others are listed by why
    not. Refused when ``people`` is empty (an empty department, nothing ticked).

    Inviting someone again (a resend) sends a new link; the earlier one still works until it
    expires or a password is set. ``invitation_sent`` is sent for each invitation.
    """
    people = list(people)
    if not people:
        raise InvitationRefused(_("Nobody was chosen: tick people in the list, or choose a department."))
    outcome = InvitationOutcome()
    for person in people:
        reason = _SKIPPED.get(login_state(person, invited=False))
        getattr(outcome, reason or "invited").append(person)
    if not outcome.invited:
        return outcome
    now = timezone.now()
    with transaction.atomic():
        invitations = Invitation.objects.bulk_create(
            [Invitation(user=person, sent_by=by, sent_at=now) for person in outcome.invited], batch_size=500
        )
        ids = [invitation.pk for invitation in invitations]
        transaction.on_commit(lambda: invitation_emails_enqueue(ids))
        for person in outcome.invited:
            invitation_sent.send(sender=None, user=person, by=by, request=request)
    return outcome


def person_language_set(*, user: User, language: str) -> None:
    """Keep ``language`` (a code of ``LANGUAGES``, or "" for the site's) as ``user``'s own."""
    if language not in {code for code, _name in settings.LANGUAGES} | {""}:
        raise ApplicationError(_("“%(language)s” is not a language of this site.") % {"language": language})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
