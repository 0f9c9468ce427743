"""A year's ranking (issue 15, part 5): the year's scores of a plan and a department, best first,
with the streaks reached in its months and HR's follow-up decisions of the year; CSV and XLSX."""

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from metrics.cycles.models import Cycle, CycleStatus
from metrics.followups.models import Decision, FollowUpDecision
from metrics.followups.ranking import StreakReached, streak_runs, year_ranking
from metrics.results.models import Result
from people.models import Department, Role, User
from plans.models import Assignment, PlanVersion
from plans.periods import Period
from tests.factories import UserFactory, assign, publish
from tests.test_home import page_text

YEAR = Period.parse("2025")
PAGE = "/cycles/2025/ranking/"


def result(assignment: Assignment, period: str, score: str, band: str, flags: list[str], bonus: str = "0") -> Result:
    cycle, _ = Cycle.objects.get_or_create(period=period, defaults={"status": CycleStatus.CLOSED})
    return Result.objects.create(
        cycle=cycle,
        run=1,
        period=period,
        employee=assignment.employee,
        assignment=assignment,
        version=assignment.version,
        score=Decimal(score),
        band=band,
        payout=Decimal(100 if band == "A" else 70 if band == "B" else 0),
        bonus=Decimal(bonus),
        flags=flags,
    )


@pytest.fixture
def year(db: None) -> dict[str, User]:
    """李雷 (A, a streak in March and December, promoted for December and honoured for the year),
    赵敏 (the same score: shares second place), 韩梅梅 (C, warned) in 客户部; 王强 in 销售部."""
    plan: PlanVersion = publish()
    customers, sales = Department.objects.create(name="客户部"), Department.objects.create(name="销售部")
    people = {
        "li.lei": ("李雷", customers, "101.00", "A", ["promotion_candidate"], "24000.00"),
        "zhao.min": ("赵敏", customers, "77.50", "B", [], "12600.00"),
        "han.mei": ("韩梅梅", customers, "50.44", "C", ["incomplete", "warning"], "0.00"),
        "wang.qiang": ("王强", sales, "77.50", "B", [], "8400.00"),
    }
    users = {}
    for username, (name, department, score, band, flags, bonus) in people.items():
        user = UserFactory.create(username=username, display_name=name, department=department)
        assignment = assign(user, plan, start="2025-01", annual_bonus="24000")
        result(assignment, "2025", score, band, flags, bonus)
        for quarter, points in zip(
            ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"), ("80", "90", "100", score), strict=True
        ):
            result(assignment, quarter, points, "A", [])
        users[username] = user
    li = Assignment.objects.get(employee__username="li.lei")
    result(li, "2025-03", "107.66", "A", ["promotion_candidate"])
    result(li, "2025-12", "107.66", "A", ["promotion_candidate"])
    result(li, "2026-01", "107.66", "A", ["promotion_candidate"])  # another year's: not this ranking's
    hr = User.objects.create_user(username="hr", display_name="孙丽", role=Role.HR)
    now = timezone.now()
    for username, period, decision in (
        ("li.lei", "2025-12", Decision.PROMOTION),
        ("li.lei", "2025", Decision.HONOUR),
        ("han.mei", "2025", Decision.FORMAL_WARNING),
    ):
        FollowUpDecision.objects.create(
            employee=users[username], period=period, decision=decision, decided_by=hr, decided_at=now
        )
    users["hr"] = hr
    return users


def hr_client(user: User, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_it_ranks_the_year_best_first_and_ties_share_a_place(year: dict[str, User]) -> None:
    ranking = year_ranking(year=YEAR)

    assert [(row.rank, row.employee, row.score) for row in ranking.rows] == [
        (1, "li.lei", Decimal("101.00")),
        (2, "wang.qiang", Decimal("77.50")),
        (2, "zhao.min", Decimal("77.50")),
        (4, "han.mei", Decimal("50.44")),
    ]
    li = ranking.rows[0]
    assert [streak.month for streak in li.streaks] == ["2025-03", "2025-12"]
    assert [(run.first, run.last, run.months) for run in li.streak_runs] == [
        ("March 2025", "March 2025", 1),
        ("December 2025", "December 2025", 1),
    ]
    assert [(label, decision.label) for label, decision in li.decisions] == [
        ("December 2025", "Promotion"),
        ("year 2025", "Honour"),
    ]
    assert li.quarters == (Decimal("80.00"), Decimal("90.00"), Decimal("100.00"), Decimal("101.00"))
    assert ranking.closed and ranking.still_open == 0


def test_a_department_and_a_plan_rank_on_their_own(year: dict[str, User]) -> None:
    sales = Department.objects.get(name="销售部")

    in_sales = year_ranking(year=YEAR, department_id=sales.pk)
    customers = year_ranking(year=YEAR, department_id=Department.objects.get(name="客户部").pk)

    assert [(row.rank, row.employee) for row in in_sales.rows] == [(1, "wang.qiang")]
    assert [(row.rank, row.employee) for row in customers.rows] == [(1, "li.lei"), (2, "zhao.min"), (3, "han.mei")]
    assert year_ranking(year=YEAR, plan="customer-manager").page.paginator.count == 4
    assert year_ranking(year=YEAR, plan="another-plan").rows == []


def test_hr_reads_the_ranking_in_chinese_in_words(year: dict[str, User]) -> None:
    text = page_text(hr_client(year["hr"], "zh-hans").get(PAGE).content)

    assert "2025年度 排名" in text
    row = text[text.index("李雷") : text.index("王强")]
    assert "101.00" in row and "¥24,000.00" in row and "晋升候选" in row
    assert "2025年3月" in row and "2025年12月" in row and "2025年12月 · 晋升" in row and "2025年度 · 荣誉称号" in row
    for code in ("promotion_candidate", "promotion", "honour", "li.lei", "2025-12"):
        assert code not in text, code


def test_the_page_filters_by_department(year: dict[str, User]) -> None:
    sales = Department.objects.get(name="销售部")

    text = page_text(hr_client(year["hr"]).get(PAGE, {"department": sales.pk}).content)

    assert "王强" in text and "李雷" not in text


def test_only_hr_reads_the_ranking(year: dict[str, User]) -> None:
    assert hr_client(year["li.lei"]).get(PAGE).status_code == 403
    assert hr_client(year["hr"]).get("/cycles/2025-03/ranking/").status_code == 404


def test_it_downloads_as_csv_and_excel_with_every_row_of_the_filters(year: dict[str, User]) -> None:
    client = hr_client(year["hr"])

    response = client.get("/cycles/2025/ranking.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:10] == [
        "Rank",
        "Employee ID",
        "Name",
        "Department",
        "Plan",
        "Score",
        "Band",
        "Payout %",
        "Bonus",
        "Flags",
    ]
    assert rows[0][10:] == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "Streaks reached",
        "Months of the streaks",
        "Follow-up decisions",
    ]
    assert rows[1][:10] == [
        "1",
        "li.lei",
        "李雷",
        "客户部",
        "客户管理员绩效方案",
        "101.00",
        "A",
        "100.00",
        "24000.00",
        "Promotion candidate",
    ]
    assert rows[1][14:] == ["2", "March 2025; December 2025", "December 2025: Promotion; year 2025: Honour"]
    assert [row[1] for row in rows[1:]] == ["li.lei", "wang.qiang", "zhao.min", "han.mei"]

    sales = Department.objects.get(name="销售部")
    workbook = load_workbook(io.BytesIO(client.get("/cycles/2025/ranking.xlsx", {"department": sales.pk}).content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[2]][:6] == [1, "wang.qiang", "王强", "销售部", "客户管理员绩效方案", 77.5]
    assert sheet.max_row == 2


def test_streak_months_in_a_row_read_as_one_run() -> None:
    months = ["2025-03", "2025-04", "2025-05", "2025-12"]
    streaks = [StreakReached(month=m, label=m, flag="Promotion candidate") for m in months]

    assert [(run.first, run.last, run.months) for run in streak_runs(streaks)] == [
        ("2025-03", "2025-05", 3),
        ("2025-12", "2025-12", 1),
    ]


def test_the_page_reads_in_as_many_queries_for_more_people(year: dict[str, User]) -> None:
    client = hr_client(year["hr"])
    client.get(PAGE)  # the session and the caches

    with CaptureQueriesContext(connection) as four:
        client.get(PAGE)
    plan = Assignment.objects.first()
    assert plan is not None
    for n in range(6):
        user = UserFactory.create(username=f"more{n}", department=Department.objects.get(name="销售部"))
        more = assign(user, plan.version, start="2025-01")
        result(more, "2025", "60.00", "B", ["promotion_candidate"])
        result(more, "2025-06", "95.00", "A", ["promotion_candidate"])
    with CaptureQueriesContext(connection) as ten:
        client.get(PAGE)

    assert len(ten) == len(four)


def test_the_year_s_other_pages_show_it_in_chinese(year: dict[str, User]) -> None:
    client = hr_client(year["hr"], "zh-hans")

    cycles = page_text(client.get("/cycles/").content)
    assert "2025年度 · 排名" in cycles
    cycle = page_text(client.get("/cycles/2025/").content)
    assert "年度排名（按方案和部门）" in cycle and "¥45,000.00" in cycle  # the summary: every bonus of the year
    results = page_text(client.get("/cycles/2025/results/").content)
    assert "李雷" in results and "101.00" in results and "¥24,000.00" in results
    follow_ups = page_text(client.get("/cycles/2025/follow-ups/").content)
    assert "2025年度 跟进事项" in follow_ups and "韩梅梅" in follow_ups and "正式警告" in follow_ups
    dashboard = page_text(client.get("/dashboard/", {"period": "2025"}).content)
    assert "李雷" in dashboard and "101.00" in dashboard
    scorecard = page_text(client.get("/scores/li.lei/").content)
    assert "年度" in scorecard and "101.00" in scorecard
