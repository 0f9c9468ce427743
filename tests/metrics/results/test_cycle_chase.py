"""The cycle page chases the late: per manager what is missing, who reminded them when, "remind now"."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from metrics.figures.models import Reminder
from metrics.figures.reminders import figures_reminders_send
from people.models import Role, User
from plans.periods import Period
from tests.factories import UserFactory, assign
from tests.metrics.figures.test_remind_now import team

pytestmark = pytest.mark.django_db

AT_10_03 = datetime(2026, 5, 2, 10, 3, tzinfo=ZoneInfo("Asia/Shanghai"))


def page_text(content: bytes) -> str:
    """The page as a reader sees it: no tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


def chinese(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.fixture
def hr() -> Client:
    team()
    return chinese(User.objects.get(username="zhang.wei"))


def test_each_late_manager_is_listed_by_name_with_the_count_and_who_lacks_what(hr: Client) -> None:
    text = page_text(hr.get("/cycles/2026-02/").content)

    assert "仍缺少 7 项数据，按经理列出：" in text
    # The team missing most first; the people and the indicators by name, behind "who and what".
    assert re.search(
        r"赵磊 缺少 4 项数据 立即提醒 缺少哪些人的哪些数据 别人: 客户流失率、反馈处理及时率、新客户签约、客户满意度"
        r" 王芳 缺少 3 项数据 立即提醒 缺少哪些人的哪些数据 韩梅梅: 客户流失率、反馈处理及时率、新客户签约",
        text,
    ), text
    assert "李雷" not in text  # complete
    for code in ("churn", "satisfaction", "wang.fang", "zhao.lei", "han.mei"):
        assert code not in text  # names, never codes
    assert "提醒过" not in text  # nobody was reminded yet


def test_hr_reminds_a_manager_and_the_page_says_who_did_and_when(hr: Client) -> None:
    response = hr.post("/cycles/2026-02/remind/wang.fang/")

    assert response.status_code == 302 and response["Location"] == "/cycles/2026-02/#chase"
    [email] = mail.outbox
    assert email.to == ["wang@example.com"] and "韩梅梅" in email.body
    Reminder.objects.update(sent_at=AT_10_03)
    text = page_text(hr.get(response["Location"]).content)
    assert "已提醒 王芳：邮件中列出了其团队 2026年2月 仍缺少的数据。" in text
    assert "王芳 缺少 3 项数据 已由 张伟 于 2026年5月2日 10:03 提醒 立即提醒" in text
    assert "赵磊 缺少 4 项数据 立即提醒" in text  # not reminded


def test_a_second_click_within_the_hour_is_refused_with_when_and_by_whom(hr: Client) -> None:
    hr.post("/cycles/2026-02/remind/wang.fang/")
    Reminder.objects.update(sent_at=AT_10_03)

    text = page_text(hr.post("/cycles/2026-02/remind/wang.fang/", follow=True).content)

    assert (
        "张伟 已于 2026年5月2日 10:03 就 2026年2月 的数据提醒过 王芳：每小时最多提醒一次，"
        "下一次可在 2026年5月2日 11:03 之后发送。"
    ) in text
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1


def test_the_automatic_reminders_show_as_such(hr: Client) -> None:
    figures_reminders_send(period=Period.parse("2026-02"))
    Reminder.objects.update(sent_at=AT_10_03)

    text = page_text(hr.get("/cycles/2026-02/").content)

    assert "赵磊 缺少 4 项数据 系统已于 2026年5月2日 10:03 自动提醒" in text
    assert "王芳 缺少 3 项数据 系统已于 2026年5月2日 10:03 自动提醒" in text


def test_a_manager_without_an_address_has_no_button_but_says_why(hr: Client) -> None:
    User.objects.filter(username="zhao.lei").update(email="")

    response = hr.get("/cycles/2026-02/")

    text = page_text(response.content)
    assert "赵磊 缺少 4 项数据 没有电子邮箱地址，无法提醒" in text
    assert "/cycles/2026-02/remind/zhao.lei/" not in response.content.decode()
    assert "/cycles/2026-02/remind/wang.fang/" in response.content.decode()
    refused = page_text(hr.post("/cycles/2026-02/remind/zhao.lei/", follow=True).content)
    assert "赵磊 没有电子邮箱地址，无法提醒。" in refused and mail.outbox == []


def test_the_page_reads_the_reminders_in_as_many_queries_for_one_team_as_for_five(hr: Client) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert hr.get("/cycles/2026-02/").status_code == 200
        return len(captured)

    figures_reminders_send(period=Period.parse("2026-02"))
    before = queries()
    version = User.objects.get(username="li.lei").assignments.get().version
    for n in range(3):
        lead = UserFactory.create(username=f"lead{n}", role=Role.MANAGER, email=f"lead{n}@example.com")
        assign(UserFactory.create(username=f"report{n}", manager=lead), version, "2026-01")
    figures_reminders_send(period=Period.parse("2026-02"))

    assert queries() == before
    assert page_text(hr.get("/cycles/2026-02/").content).count("自动提醒") == 5


@pytest.mark.parametrize(("who", "status"), [("wang.fang", 403), ("li.lei", 403), ("", 302)])
def test_only_hr_may_remind(who: str, status: int) -> None:
    team()
    client = Client()
    if who:
        client.force_login(User.objects.get(username=who))

    response = client.post("/cycles/2026-02/remind/wang.fang/")

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_a_reminder_is_a_post_to_a_manager_who_exists(hr: Client) -> None:
    assert hr.get("/cycles/2026-02/remind/wang.fang/").status_code == 405
    assert hr.post("/cycles/2026-02/remind/nobody/").status_code == 404
    assert hr.post("/cycles/2026-13/remind/wang.fang/").status_code == 404
    assert mail.outbox == []
