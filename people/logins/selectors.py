"""Reads of logins: the access audit (the events filtered, each as the page shows it); who can
sign in, who was invited and when, whom an invitation goes to."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from people.logins.models import AccessEvent, AccessKind, Invitation
from people.models import Department, Role, User
from people.selectors import people_visible


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


class LoginState:
    """Where a person stands with signing in, as the People page shows it."""

    SIGNED_IN = "signed_in"  # has a password and has signed in
    PASSWORD_SET = "password_set"  # has a password, never signed in
    INVITED = "invited"  # invited, has not set a password yet
    NOT_INVITED = "not_invited"
    NO_EMAIL = "no_email"  # cannot be invited
    DISABLED = "disabled"  # an inactive account: nobody signs in with it

    INVITABLE = (INVITED, NOT_INVITED)


@dataclass(frozen=True)
class LoginStatus:
    state: str  # a LoginState
    last_login: datetime.datetime | None
    invited_at: datetime.datetime | None  # the latest invitation
    invited_by: str  # its sender's name, "" when nobody (the roster command) or never invited

    @property
    def invitable(self) -> bool:
        return self.state in LoginState.INVITABLE


def without_password() -> Q:
    """People who cannot sign in with a password: none set yet (the roster creates them so)."""
    return Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) | Q(password="")


def login_state(user: User, *, invited: bool) -> str:
    if not user.is_active:
        return LoginState.DISABLED
    if user.has_usable_password():
        return LoginState.SIGNED_IN if user.last_login else LoginState.PASSWORD_SET
    if not user.email:
        return LoginState.NO_EMAIL
    return LoginState.INVITED if invited else LoginState.NOT_INVITED


def login_statuses(*, people: Sequence[User]) -> dict[int, LoginStatus]:
    """Each person's ``LoginStatus``, by id: one query for their latest invitations."""
    latest: dict[int, Invitation] = {}
    invitations = (
        Invitation.objects.filter(user__in=[person.pk for person in people])
        .select_related("sent_by")
        .order_by("user_id", "-sent_at", "-pk")
    )
    for sent in invitations:
        latest.setdefault(sent.user_id, sent)
    statuses = {}
    for person in people:
        invitation = latest.get(person.pk)
        sender = invitation.sent_by if invitation else None
        statuses[person.pk] = LoginStatus(
            state=login_state(person, invited=invitation is not None),
            last_login=person.last_login,
            invited_at=invitation.sent_at if invitation else None,
            invited_by=(sender.display_name or sender.username) if sender else "",
        )
    return statuses


class InviteScope:
    PERSON = "person"
    SELECTED = "selected"
    DEPARTMENT = "department"
    EVERYBODY = "everybody"  # everybody without a login

    CHOICES = [
        (PERSON, gettext_lazy("One person")),
        (SELECTED, gettext_lazy("The people ticked")),
        (DEPARTMENT, gettext_lazy("A department")),
        (EVERYBODY, gettext_lazy("Everybody without a login")),
    ]


def invitation_people(
    *, user: User, scope: str, usernames: Sequence[str] = (), department: Department | None = None
) -> QuerySet[User]:
    """Whom ``user`` (HR) means to invite, among the people they may see, by user name."""
    people = people_visible(user=user).order_by("username")
    if scope in (InviteScope.PERSON, InviteScope.SELECTED):
        return people.filter(username__in=usernames)
    if scope == InviteScope.DEPARTMENT:
        return people.filter(department=department)
    return people.filter(without_password(), is_active=True)


def hr_contacts() -> list[User]:
    """Whom a person asks for a new invitation: HR with an email address, by name."""
    return list(
        User.objects.filter(role=Role.HR, is_active=True).exclude(email="").order_by("display_name", "username")
    )
