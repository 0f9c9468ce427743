"""Reads of the access audit: the events filtered, and each as the page shows it."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from people.logins.models import AccessEvent, AccessKind
from people.models import User


@dataclass(frozen=True)
class AccessRow:
    at: datetime.datetime
    kind: str  # in the reader's language
    name: str  # the person's name, or the user name typed when it names nobody
    username: str
    ip: str
    user_agent: str
    detail: str  # in the reader's language


def access_events_filtered(
    *, person: str = "", kind: str = "", day: datetime.date | None = None
) -> QuerySet[AccessEvent]:
    """Newest first. ``person`` is a user name or a person's full name; ``day`` is a local day."""
    events = AccessEvent.objects.select_related("user").order_by("-at", "-id")
    person = person.strip()
    if person:
        people = User.objects.filter(Q(username=person) | Q(display_name=person))
        events = events.filter(Q(user__in=people) | Q(username=person))
    if kind:
        events = events.filter(kind=kind)
    if day is not None:
        events = events.filter(at__date=day)  # in the current time zone (TIME_ZONE)
    return events


def _detail(event: AccessEvent) -> str:
    if event.kind == AccessKind.LOGIN_FAILED and event.detail == "locked":
        return _("refused: locked out after too many wrong passwords")
    if event.kind == AccessKind.LOCKOUT and event.detail.isdigit():
        return _("after %(count)s wrong passwords") % {"count": event.detail}
    if event.kind == AccessKind.PASSWORD_CHANGED:
        return _("with a reset link") if event.detail == "reset" else _("by the person")
    if event.kind == AccessKind.INVITATION and event.detail:
        return _("sent by %(name)s") % {"name": event.detail}
    if event.kind == AccessKind.LOCKOUT_LIFTED and event.detail:
        return _("lifted by %(name)s") % {"name": event.detail}
    return event.detail


def access_rows(*, events: Iterable[AccessEvent]) -> list[AccessRow]:
    return [
        AccessRow(
            at=event.at,
            kind=str(AccessKind(event.kind).label),
            name=(event.user.display_name if event.user else "") or event.username,
            username=event.username,
            ip=event.ip or "",
            user_agent=event.user_agent,
            detail=_detail(event),
        )
        for event in events
    ]
