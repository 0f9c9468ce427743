"""Guessing is stopped: LOGIN_FAILURE_LIMIT wrong passwords for a user from one address lock
that user name out from that address for LOGIN_LOCKOUT_MINUTES, on the site and on /admin/."""

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from pytest_django import Settings

from people.logins.clients import client_address
from people.models import Role, User
from tests.factories import UserFactory
from tests.typed import Response

pytestmark = pytest.mark.django_db

PASSWORD = "right-pass-1"
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
SITE_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def person(username: str = "li.lei", **fields: object) -> User:
    user = UserFactory.create(username=username, display_name="李雷", **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(
    client: Client, password: str, *, username: str = "li.lei", ip: str = HOME, url: str = SITE_LOGIN, **extra: str
) -> Response:
    data = {"username": username, "password": password}
    if url == ADMIN_LOGIN:
        data["next"] = "/admin/"
    headers: dict[str, Any] = {"REMOTE_ADDR": ip, **extra}  # the request's META, as a proxy and browser give it
    return client.post(url, data, **headers)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, times: int, **kwargs: str) -> list[Response]:
    return [attempt(client, f"wrong-{n}", **kwargs) for n in range(times)]


def move_time(minutes: float) -> None:
    """As if ``minutes`` had passed since the failures axes counted."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_the_defaults_are_five_failures_and_fifteen_minutes() -> None:
    assert settings.LOGIN_FAILURE_LIMIT == 5
    assert settings.LOGIN_LOCKOUT_MINUTES == 15
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_it_locks_out_after_exactly_the_limit_of_wrong_passwords(client: Client) -> None:
    person()
    answers = fail(client, settings.LOGIN_FAILURE_LIMIT - 1)
    assert [answer.status_code for answer in answers] == [200] * (settings.LOGIN_FAILURE_LIMIT - 1)
    assert "Please enter a correct username and password" in answers[-1].content.decode()

    locking = attempt(client, "wrong-last")
    assert locking.status_code == 429
    assert "Too many wrong passwords." in locking.content.decode()

    refused = attempt(client, PASSWORD)
    assert refused.status_code == 429
    assert "Signing in as li.lei from this address is locked for 15 minutes" in refused.content.decode()
    assert not signed_in(client)


def test_one_wrong_password_short_of_the_limit_still_lets_the_right_one_in(client: Client) -> None:
    person()
    fail(client, settings.LOGIN_FAILURE_LIMIT - 1)
    assert attempt(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_right_password_resets_the_count(client: Client) -> None:
    person()
    fail(client, settings.LOGIN_FAILURE_LIMIT - 1)
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    fail(client, settings.LOGIN_FAILURE_LIMIT - 1)
    assert attempt(client, PASSWORD).status_code == 302


def test_another_address_and_another_user_may_still_try(client: Client) -> None:
    person()
    person("han.mei")
    fail(client, settings.LOGIN_FAILURE_LIMIT)
    assert attempt(client, PASSWORD).status_code == 429

    assert attempt(Client(), PASSWORD, ip=ELSEWHERE).status_code == 302
    assert attempt(Client(), PASSWORD, username="han.mei").status_code == 302


def test_the_lockout_lifts_after_the_lockout_minutes(client: Client) -> None:
    person()
    fail(client, settings.LOGIN_FAILURE_LIMIT)
    move_time(settings.LOGIN_LOCKOUT_MINUTES - 1)
    assert attempt(client, PASSWORD).status_code == 429  # a minute to go; the refusal added no time

    move_time(1.01)
    answer = attempt(client, PASSWORD)
    assert answer.status_code == 302
    assert signed_in(client)


def test_an_admin_lifts_a_lockout_on_the_lockouts_page(client: Client) -> None:
    person()
    admin = UserFactory.create(username="root", display_name="管理员", role=Role.ADMIN)
    fail(client, settings.LOGIN_FAILURE_LIMIT)

    admin_client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    admin_client.force_login(admin)
    page = admin_client.get("/accounts/lockouts/").content.decode()
    assert "李雷" in page
    assert HOME in page
    assert "解除锁定" in page
    lockout = AccessAttempt.objects.get(username="li.lei")

    lifted = admin_client.post(f"/accounts/lockouts/{lockout.pk}/lift/", follow=True).content.decode()
    assert f"李雷 可以再次从 {HOME} 登录。" in lifted
    assert "没有被锁定的账号。" in lifted
    assert attempt(client, PASSWORD).status_code == 302

    again = admin_client.post(f"/accounts/lockouts/{lockout.pk}/lift/", follow=True).content.decode()
    assert "这个锁定已不再生效" in again


def test_only_admins_see_and_lift_lockouts(client: Client) -> None:
    person()
    fail(Client(), settings.LOGIN_FAILURE_LIMIT)
    lockout = AccessAttempt.objects.get(username="li.lei")
    for role in (Role.EMPLOYEE, Role.MANAGER, Role.HR):
        client.force_login(UserFactory.create(role=role))
        assert client.get("/accounts/lockouts/").status_code == 403
        assert client.post(f"/accounts/lockouts/{lockout.pk}/lift/").status_code == 403
    assert AccessAttempt.objects.filter(pk=lockout.pk).exists()
    client.logout()
    assert client.get("/accounts/lockouts/").status_code == 302  # to the login page


def test_the_lockout_message_in_chinese(client: Client) -> None:
    person()
    fail(client, settings.LOGIN_FAILURE_LIMIT, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = attempt(client, PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "密码错误次数过多。" in page
    assert "用户 li.lei 从此地址登录已被锁定 15 分钟" in page
    assert "Too many" not in page


def test_admin_site_locks_out_as_the_site_does(client: Client) -> None:
    person(role=Role.ADMIN, is_staff=True, is_superuser=True)
    answers = fail(client, settings.LOGIN_FAILURE_LIMIT, url=ADMIN_LOGIN)
    assert [answer.status_code for answer in answers[:-1]] == [200] * (settings.LOGIN_FAILURE_LIMIT - 1)
    assert answers[-1].status_code == 429

    refused = attempt(client, PASSWORD, url=ADMIN_LOGIN)
    assert refused.status_code == 429
    assert "Too many wrong passwords." in refused.content.decode()
    assert not signed_in(client)
    # the site's own login page counts the same failures: the same user name, the same address
    assert attempt(client, PASSWORD).status_code == 429

    move_time(settings.LOGIN_LOCKOUT_MINUTES + 0.01)
    assert attempt(client, PASSWORD, url=ADMIN_LOGIN).status_code == 302
    assert signed_in(client)


def test_admins_see_the_attempts_in_the_django_admin(client: Client) -> None:
    person()
    fail(Client(), settings.LOGIN_FAILURE_LIMIT)
    client.force_login(UserFactory.create(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True))
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "li.lei" in page
    assert HOME in page


class _Request:
    def __init__(self, **meta: str) -> None:
        self.META = meta


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, "203.0.113.7"),
        # the proxy appends the address it sees: what the client typed before it is not believed
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7"}, "203.0.113.7"),
        # a client that reaches gunicorn directly cannot choose its address
        ({"REMOTE_ADDR": "198.51.100.20", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, "198.51.100.20"),
        ({"REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-address"}, None),
        ({}, None),
    ],
)
def test_the_client_address_is_read_as_production_is_deployed(meta: dict[str, str], expected: str | None) -> None:
    assert client_address(_Request(**meta)) == expected  # type: ignore[arg-type]


@pytest.fixture
def proxies(settings: Settings) -> Settings:
    """pytest-django's settings fixture, under a name that leaves django.conf's settings to this module."""
    return settings


@pytest.mark.parametrize(
    ("trusted", "peer", "expected"),
    [
        (["10.1.0.0/16"], "10.1.2.3", "203.0.113.7"),  # the proxies' network
        (["10.1.0.0/16"], "10.2.0.1", "10.2.0.1"),
        (["*"], "192.0.2.50", "203.0.113.7"),  # every peer is the proxy, as gunicorn's "*"
        (["not an address"], "127.0.0.1", "127.0.0.1"),
    ],
)
def test_the_trusted_proxies_are_read_as_gunicorn_reads_them(
    proxies: Settings, trusted: list[str], peer: str, expected: str
) -> None:
    proxies.LOGIN_TRUSTED_PROXIES = trusted
    request = _Request(REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(request) == expected  # type: ignore[arg-type]


def test_a_spoofed_forwarded_address_does_not_escape_the_lockout(client: Client) -> None:
    person()
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "wrong", ip=ELSEWHERE, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert attempt(client, PASSWORD, ip=ELSEWHERE, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_behind_the_proxy_each_client_address_counts_on_its_own(client: Client) -> None:
    person()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "wrong", ip="127.0.0.1", HTTP_X_FORWARDED_FOR=HOME)
    assert attempt(client, PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR=HOME).status_code == 429
    assert attempt(Client(), PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR=ELSEWHERE).status_code == 302
