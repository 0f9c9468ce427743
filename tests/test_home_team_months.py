"""A manager's home page: the deadline and what is missing in each of their team's open months."""

import re
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from config import home
from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.services import metrics_import
from metrics.results.chase import team_months
from metrics.results.selectors import missing_overview
from people.models import User
from plans.periods import Period
from tests.factories import assign, csv_table
from tests.metrics.figures.test_remind_now import COMPLETE, team

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH_10 = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)


def page_text(content: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


@pytest.fixture
def on_march_10(monkeypatch: pytest.MonkeyPatch) -> None:
    """The home page is read on 2026-03-10, in the company's time zone."""
    monkeypatch.setattr(home, "timezone", SimpleNamespace(now=lambda: MARCH_10))


def chinese(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.cookies["django_language"] = "zh-hans"
    return client


def test_each_open_month_with_its_deadline_and_the_values_the_team_lacks() -> None:
    wang, _hr = team()  # 李雷 from January, nothing in it; February: 李雷 complete, 韩梅梅 3 missing

    months = team_months(manager=wang, now=MARCH_10)

    assert [(m.period, m.deadline.astimezone(SHANGHAI).date().isoformat(), m.missing, m.overdue) for m in months] == [
        ("2026-01", "2026-02-05", 4, True),
        ("2026-02", "2026-03-05", 3, True),
        ("2026-03", "2026-04-05", 8, False),  # the current month counts too
    ]


def test_closed_and_complete_months_and_other_teams_are_left_out() -> None:
    wang, _hr = team()
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)
    metrics_import(table=csv_table(COMPLETE + "han.mei,2026-02,1,52,9.2,3,40,44\n"))  # February complete

    assert [(m.period, m.missing) for m in team_months(manager=wang, now=MARCH_10)] == [("2026-03", 8)]
    zhao = User.objects.get(username="zhao.lei")  # 别人 lacks everything of every month
    assert [(m.period, m.missing) for m in team_months(manager=zhao, now=MARCH_10)] == [("2026-02", 4), ("2026-03", 4)]


def test_the_manager_reads_them_on_the_home_page_in_chinese_with_a_link_to_each_grid(on_march_10: None) -> None:
    team()
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)

    response = chinese("wang.fang").get("/")

    text = page_text(response.content)
    assert (
        "团队数据录入情况 月份 截止日期 缺少数据项 数据表 "
        "2026年2月 2026年3月5日 已逾期 3 录入2026年2月的数据 "
        "2026年3月 2026年4月5日 8 录入2026年3月的数据"
    ) in text
    assert "录入2026年1月的数据" not in text  # closed
    html = response.content.decode()
    assert 'href="/figures/2026-02/"' in html and 'href="/figures/2026-03/"' in html


def test_a_manager_whose_team_is_complete_is_told_so(on_march_10: None) -> None:
    team()
    for month in ("2026-01", "2026-02", "2026-03"):
        Cycle.objects.update_or_create(period=month, defaults={"status": CycleStatus.CLOSED})

    assert "团队数据录入情况 团队所有未关闭月份的数据均已录入。" in page_text(chinese("wang.fang").get("/").content)


@pytest.mark.parametrize("username", ["zhang.wei", "li.lei"])
def test_hr_and_employees_have_no_team_months(on_march_10: None, username: str) -> None:
    team()
    assert "团队数据录入情况" not in page_text(chinese(username).get("/").content)


def test_the_counts_are_those_of_the_cycle_pages_even_after_a_change_of_assignment(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    wang, _hr = team()
    li_lei = User.objects.get(username="li.lei")
    # From March 李雷 is on a new assignment: the figures of the old one no longer count there.
    metrics_import(table=csv_table(COMPLETE + "li.lei,2026-03,1,52,9.2,3,40,44\n"))
    assign(li_lei, li_lei.assignments.get().version, "2026-03", monthly_bonus="2500")

    with django_assert_num_queries(4):  # whatever the number of months and people
        months = team_months(manager=wang, now=MARCH_10)

    for month in months:
        [group] = [g for g in missing_overview(period=Period.parse(month.period)).groups if g.manager == "wang.fang"]
        assert month.missing == group.count
    assert [(m.period, m.missing) for m in months] == [("2026-01", 4), ("2026-02", 3), ("2026-03", 8)]
