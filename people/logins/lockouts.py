"""Lockouts of guessed passwords, as django-axes keeps them: the ones in force, and lifting one.

Axes counts failures per user name *and* address (settings ``AXES_LOCKOUT_PARAMETERS``) in its
``AccessAttempt`` rows; a row with ``LOGIN_FAILURE_LIMIT`` failures newer than
``LOGIN_LOCKOUT_MINUTES`` is a lockout in force. Lifting deletes that row, as axes' own reset does.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from people.logins.audit import access_record
from people.logins.models import AccessKind
from people.models import User
from plans.errors import ApplicationError


class LockoutRefused(ApplicationError):
    """A lockout that cannot be lifted (already lifted or expired)."""


@dataclass(frozen=True)
class Lockout:
    id: int
    username: str
    name: str  # the person's name, or the user name typed when it names nobody
    ip: str
    failures: int
    since: datetime
    until: datetime


def lockout_duration() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def lockouts_current() -> list[Lockout]:
    """The lockouts in force, newest first."""
    since = timezone.now() - lockout_duration()
    attempts = list(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.LOGIN_FAILURE_LIMIT, attempt_time__gte=since
        ).order_by("-attempt_time", "-id")
    )
    names = dict(
        User.objects.filter(username__in={attempt.username for attempt in attempts if attempt.username}).values_list(
            "username", "display_name"
        )
    )
    return [
        Lockout(
            id=attempt.pk,
            username=attempt.username or "",
            name=names.get(attempt.username or "") or attempt.username or "",
            ip=attempt.ip_address or "",
            failures=attempt.failures_since_start,
            since=attempt.attempt_time,
            until=attempt.attempt_time + lockout_duration(),
        )
        for attempt in attempts
    ]


@transaction.atomic
def lockout_lift(*, lockout_id: int, by: User, request: HttpRequest | None = None) -> Lockout:
    """Let the user name try again from that address at once; the audit says who lifted it."""
    lockout = next((current for current in lockouts_current() if current.id == lockout_id), None)
    if lockout is None:
        raise LockoutRefused(_("This lockout is no longer in force: it was lifted or has run out."))
    AxesProxyHandler.reset_attempts(ip_address=lockout.ip or None, username=lockout.username or None)
    access_record(
        kind=AccessKind.LOCKOUT_LIFTED,
        request=request,
        username=lockout.username,
        detail=by.display_name or by.get_username(),
    )
    return lockout
