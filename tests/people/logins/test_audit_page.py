"""The access log page: HR and admins read every access, filtered and paged, newest first, in words."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people.logins.models import AccessEvent, AccessKind
from people.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
AGENT = "Mozilla/5.0 Chrome/131.0"


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def events() -> None:
    li = UserFactory.create(username="li.lei", display_name="李雷")
    han = UserFactory.create(username="han.mei", display_name="韩梅梅")
    AccessEvent.objects.create(
        kind=AccessKind.LOGIN_FAILED, username="li.lei", user=li, ip="203.0.113.7", user_agent=AGENT, at=at(2, 9)
    )
    AccessEvent.objects.create(
        kind=AccessKind.LOCKOUT,
        username="li.lei",
        user=li,
        ip="203.0.113.7",
        user_agent=AGENT,
        at=at(2, 10),
        detail="5",
    )
    AccessEvent.objects.create(
        kind=AccessKind.LOGIN, username="han.mei", user=han, ip="198.51.100.20", user_agent=AGENT, at=at(3, 8)
    )
    AccessEvent.objects.create(
        kind=AccessKind.LOGIN_FAILED, username="ghost", ip="192.0.2.9", at=at(3, 23), detail="locked"
    )
    AccessEvent.objects.create(
        kind=AccessKind.PASSWORD_CHANGED, username="han.mei", user=han, at=at(4, 12), detail="reset"
    )


def hr_client() -> Client:
    """HR signed in: that sign-in, now, is the newest event of the log."""
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(UserFactory.create(username="hr", display_name="王芳", role=Role.HR))
    return client


def table(page: str) -> str:
    return page[page.index('id="access-table"') :]


def test_hr_reads_every_access_newest_first_in_chinese(events: None) -> None:
    page = hr_client().get("/accounts/audit/").content.decode()
    assert "共 6 条记录" in page
    body = table(page)
    rows = body.split("<tr>")[2:]  # after the header
    assert len(rows) == 6
    assert "已登录" in rows[0] and "王芳" in rows[0]  # HR's own sign-in, just now
    assert "密码已修改" in rows[1] and "韩梅梅" in rows[1]
    assert "ghost" in rows[2] and "登录失败" in rows[2]
    assert "已登录" in rows[3] and "韩梅梅" in rows[3]
    assert "已锁定" in rows[4] and "李雷" in rows[4] and "输错 5 次密码后" in rows[4]
    assert "登录失败" in rows[5] and "李雷" in rows[5]
    assert "通过重置链接" in body
    assert "被拒绝：密码错误次数过多，已锁定" in body
    assert "2026年11月2日 10:00" in body
    assert "203.0.113.7" in body
    assert AGENT in body
    for code in ("login_failed", "lockout", "password_changed", "reset"):
        assert f">{code}<" not in body


def test_the_filters_person_kind_and_day(events: None) -> None:
    client = hr_client()
    by_person = table(client.get("/accounts/audit/", {"person": "李雷"}).content.decode())
    assert "李雷" in by_person
    assert "韩梅梅" not in by_person
    assert "共 2 条记录" in client.get("/accounts/audit/", {"person": "li.lei"}).content.decode()

    by_kind = client.get("/accounts/audit/", {"kind": AccessKind.LOGIN_FAILED}).content.decode()
    assert "共 2 条记录" in by_kind
    assert "ghost" in table(by_kind)

    # 23:00 in Shanghai on 3 November is still the 3rd there (15:00 UTC)
    by_day = client.get("/accounts/audit/", {"day": "2026-11-03"}).content.decode()
    assert "共 2 条记录" in by_day
    assert "ghost" in table(by_day) and "韩梅梅" in table(by_day)

    bad = client.get("/accounts/audit/", {"day": "11/31/2026", "kind": "nope"}).content.decode()
    assert "共 0 条记录" in bad
    assert "输入一个有效的日期。" in bad


def test_the_page_is_paged_with_a_fixed_number_of_queries() -> None:
    user = UserFactory.create(username="li.lei", display_name="李雷")
    AccessEvent.objects.bulk_create(
        AccessEvent(kind=AccessKind.LOGIN, user=user, username="li.lei", at=at(1, 0) + datetime.timedelta(minutes=n))
        for n in range(120)
    )
    client = hr_client()
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/accounts/audit/").content.decode()
    assert "第 1 页，共 3 页" in first
    assert table(first).count("<tr>") == 51  # the header and 50 events
    assert "2026年11月1日 01:59" in first
    last = client.get("/accounts/audit/", {"page": 3}).content.decode()
    assert table(last).count("<tr>") == 22  # the header and the 21 oldest (HR's own sign-in is the newest)
    assert "2026年11月1日 00:00" in last
    assert len(queries) <= 8


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.MANAGER])
def test_others_get_403(role: Role) -> None:
    client = Client()
    client.force_login(UserFactory.create(role=role))
    assert client.get("/accounts/audit/").status_code == 403


def test_admins_read_it_and_nothing_can_be_deleted_from_the_page(events: None) -> None:
    client = Client()
    client.force_login(UserFactory.create(username="root", role=Role.ADMIN))
    assert AccessEvent.objects.count() == 6  # with the admin's sign-in
    page = client.get("/accounts/audit/").content.decode()
    assert 'method="post"' not in page[page.index("<main") :]
    assert client.post("/accounts/audit/").status_code == 405
    assert AccessEvent.objects.count() == 6
    assert Client().get("/accounts/audit/").status_code == 302
