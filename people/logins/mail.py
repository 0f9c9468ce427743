"""The invitation email: a one-time link to set a password, in the person's language.

Written by the task (``people.logins.tasks``) after the invitations' transaction commits; each
invitation is claimed by a conditional update before its email goes, so a redelivered task
sends none twice.
"""

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from people.logins.models import Invitation
from people.logins.tokens import invitation_tokens
from people.models import User
from people.selectors import person_language


def invitation_link(user: User) -> str:
    """The absolute link of ``user``'s invitation, valid for ``INVITATION_DAYS`` from now, once."""
    path = reverse(
        "logins:invitation_accept",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": invitation_tokens.make_token(user)},
    )
    return str(settings.SITE_URL).rstrip("/") + path


def invitation_email(invitation: Invitation) -> EmailMessage:
    person = invitation.user
    with translation.override(person_language(user=person)):
        context = {
            "person": person,
            "link": invitation_link(person),
            "days": settings.INVITATION_DAYS,
            "sent_by": invitation.sent_by,
            "site": settings.SITE_URL,
        }
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation.txt", context)
    return EmailMessage(subject=subject, body=body, to=[person.email])


def invitation_emails_send(*, invitation_ids: Sequence[int]) -> int:
    """Email the invitations ``invitation_ids`` not emailed yet; how many went.

    Someone who set a password or lost their address meanwhile is not written to.
    """
    sent = 0
    invitations = Invitation.objects.filter(pk__in=invitation_ids, emailed_at__isnull=True).select_related(
        "user", "sent_by"
    )
    with get_connection() as connection:
        for invitation in invitations.order_by("pk"):
            person = invitation.user
            if person.has_usable_password() or not person.email or not person.is_active:
                continue
            # The claim and the email together: an email that cannot be sent leaves it unclaimed.
            with transaction.atomic():
                claimed = Invitation.objects.filter(pk=invitation.pk, emailed_at__isnull=True).update(
                    emailed_at=timezone.now()
                )
                if claimed:
                    connection.send_messages([invitation_email(invitation)])
                    sent += 1
    return sent
