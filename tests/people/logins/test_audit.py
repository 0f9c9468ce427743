"""The access audit: every sign-in, failed sign-in, lockout, sign-out, invitation, password change
and refused single sign-on is a row with who, when, the address and the browser."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory

from people.logins.audit import access_record
from people.logins.models import AccessEvent, AccessKind
from people.logins.signals import invitation_sent, password_changed, sso_login_refused
from people.models import Role
from tests.factories import UserFactory
from tests.people.logins.test_lockout import HOME, PASSWORD, attempt, person

pytestmark = pytest.mark.django_db

AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"


def kinds() -> list[str]:
    return list(AccessEvent.objects.order_by("at", "id").values_list("kind", flat=True))


def test_a_sign_in_and_a_sign_out_are_recorded_with_address_and_browser(client: Client) -> None:
    user = person()
    attempt(client, PASSWORD, HTTP_USER_AGENT=AGENT)
    client.post("/accounts/logout/", REMOTE_ADDR=HOME, HTTP_USER_AGENT=AGENT)

    login, logout = AccessEvent.objects.order_by("at", "id")
    assert (login.kind, login.user, login.username, login.ip, login.user_agent) == (
        AccessKind.LOGIN,
        user,
        "li.lei",
        HOME,
        AGENT,
    )
    assert (logout.kind, logout.user, logout.ip, logout.user_agent) == (AccessKind.LOGOUT, user, HOME, AGENT)
    assert login.at <= logout.at


def test_a_failed_sign_in_keeps_the_user_name_typed_even_when_it_names_nobody(client: Client) -> None:
    attempt(client, "guess", username="no.such.person", HTTP_USER_AGENT=AGENT)
    event = AccessEvent.objects.get()
    assert (event.kind, event.user, event.username, event.ip, event.user_agent, event.detail) == (
        AccessKind.LOGIN_FAILED,
        None,
        "no.such.person",
        HOME,
        AGENT,
        "",
    )


def test_a_lockout_is_recorded_once_and_each_refused_attempt_says_locked(client: Client) -> None:
    user = person()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "wrong", HTTP_USER_AGENT=AGENT)
    attempt(client, PASSWORD, HTTP_USER_AGENT=AGENT)
    attempt(client, PASSWORD, HTTP_USER_AGENT=AGENT)

    # axes hears the failure that locks first: its lockout, then the failure itself
    limit = settings.LOGIN_FAILURE_LIMIT
    assert kinds() == [AccessKind.LOGIN_FAILED] * (limit - 1) + [AccessKind.LOCKOUT] + [AccessKind.LOGIN_FAILED] * 3
    lockout = AccessEvent.objects.get(kind=AccessKind.LOCKOUT)
    assert (lockout.user, lockout.username, lockout.ip, lockout.user_agent, lockout.detail) == (
        user,
        "li.lei",
        HOME,
        AGENT,
        str(limit),
    )
    details = list(
        AccessEvent.objects.filter(kind=AccessKind.LOGIN_FAILED).order_by("at", "id").values_list("detail", flat=True)
    )
    assert details == [""] * settings.LOGIN_FAILURE_LIMIT + ["locked", "locked"]


def test_lifting_a_lockout_is_recorded_with_who_lifted_it(client: Client) -> None:
    person()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(Client(), "wrong")
    client.force_login(UserFactory.create(username="root", display_name="管理员", role=Role.ADMIN))
    client.post(
        f"/accounts/lockouts/{AccessAttempt.objects.get().pk}/lift/", REMOTE_ADDR="192.0.2.1", HTTP_USER_AGENT=AGENT
    )
    event = AccessEvent.objects.get(kind=AccessKind.LOCKOUT_LIFTED)
    assert (event.username, event.detail, event.ip, event.user_agent) == ("li.lei", "管理员", "192.0.2.1", AGENT)


def test_our_signals_are_recorded() -> None:
    user = UserFactory.create(username="han.mei", display_name="韩梅梅")
    hr = UserFactory.create(username="hr", display_name="人事小王", role=Role.HR)
    request = RequestFactory().post("/", REMOTE_ADDR=HOME, HTTP_USER_AGENT=AGENT)

    invitation_sent.send(sender=None, user=user, by=hr, request=request)
    password_changed.send(sender=None, user=user, request=request, reset=True)
    password_changed.send(sender=None, user=user, request=None, reset=False)
    sso_login_refused.send(sender=None, username="han.mei", reason="账号已停用", request=request)

    rows = list(AccessEvent.objects.order_by("id").values_list("kind", "user__username", "ip", "user_agent", "detail"))
    assert rows == [
        (AccessKind.INVITATION, "han.mei", HOME, AGENT, "人事小王"),
        (AccessKind.PASSWORD_CHANGED, "han.mei", HOME, AGENT, "reset"),
        (AccessKind.PASSWORD_CHANGED, "han.mei", None, "", ""),
        (AccessKind.SSO_REFUSED, "han.mei", HOME, AGENT, "账号已停用"),
    ]


def test_access_record_cuts_a_long_browser_description_and_finds_the_person() -> None:
    user = UserFactory.create(username="li.lei")
    request = RequestFactory().get("/", HTTP_USER_AGENT="x" * 2000)
    event = access_record(kind=AccessKind.LOGIN_FAILED, request=request, username="li.lei", detail="d" * 900)
    assert event.user == user
    assert len(event.user_agent) == 500
    assert len(event.detail) == 500
    assert event.ip == "127.0.0.1"
