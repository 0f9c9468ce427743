"""Celery is one more interface to the services: the invitations' emails, by ids."""

from collections.abc import Sequence

from celery import shared_task

from people.logins.mail import invitation_emails_send

# Ids a task: "invite everybody" at 100,000 people is 200 small messages, not one of a megabyte.
IDS_PER_TASK = 500


# A mail server that is down or refuses for a moment (SMTPException is an OSError): try again.
@shared_task(
    name="people.logins.tasks.invitation_emails_task", autoretry_for=(OSError,), retry_backoff=5, max_retries=6
)
def invitation_emails_task(invitation_ids: list[int]) -> None:
    invitation_emails_send(invitation_ids=invitation_ids)


def invitation_emails_enqueue(invitation_ids: Sequence[int]) -> None:
    ids = list(invitation_ids)
    for start in range(0, len(ids), IDS_PER_TASK):
        invitation_emails_task.delay(ids[start : start + IDS_PER_TASK])
