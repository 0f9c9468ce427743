"""In a real browser, in Chinese: HR opens a department's quarter reviews, the manager rates the
whole team on one grid and submits them together, and the employee reads the outcome."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page

from metrics.figures.models import MetricEntry
from people.models import User
from reviews import services
from reviews.models import Review, ReviewStatus
from tests.conftest import browser_logout
from tests.reviews.conftest import team_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def sign_out(page: Page) -> None:
    browser_logout(page)


def test_hr_opens_a_department_the_manager_rates_the_grid_and_the_employee_reads_it(
    page: Page, examples: Path, live_server: object
) -> None:
    team_load(examples)
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": str(live_server)}])

    sign_in(page, "hr")
    page.get_by_role("link", name="绩效评估", exact=True).click()
    many = page.locator("section").filter(has=page.get_by_role("heading", name="开启一个季度的绩效评估"))
    many.get_by_label("季度").fill("2026-Q1")
    many.get_by_label("部门").select_option(label="客户部")
    many.get_by_role("button", name="开启绩效评估").click()
    assert page.get_by_text("2026年第1季度：新开启 2 份绩效评估，另有 0 份此前已开启，保持不变。").is_visible()
    assert Review.objects.filter(period="2026-Q1").count() == 2  # 李雷 and 韩梅梅; not 吴迪 of 客户二部
    sign_out(page)

    for username in ("li.lei", "han.mei"):
        employee = User.objects.get(username=username)
        review = Review.objects.get(employee=employee, period="2026-Q1")
        services.review_self_assessment_submit(review=review, text="本季度客户保持良好。", user=employee)

    sign_in(page, "wang.fang")
    page.goto("/figures/2026-Q1/")  # a quarter's figures are its reviews' ratings
    page.wait_for_url("**/reviews/team/2026-Q1/")
    assert page.get_by_role("heading", name="2026年第1季度 团队评分").is_visible()
    assert page.get_by_label("韩梅梅 内部协作评价").input_value() == "6"
    page.get_by_label("李雷 内部协作评价").fill("11")
    page.get_by_label("给 李雷 的评语").fill("乐于分享客户笔记。")
    page.get_by_role("button", name="保存", exact=True).click()
    assert page.get_by_text("李雷 · 内部协作评价：评分 11 超出 0 至 10 的评分范围").is_visible()
    assert page.get_by_label("给 李雷 的评语").input_value() == "乐于分享客户笔记。"  # kept as typed, unsaved
    assert MetricEntry.objects.filter(assignment__employee__username="li.lei", period="2026-Q1").count() == 0

    page.get_by_label("李雷 内部协作评价").fill("８．５")
    page.get_by_label("给 韩梅梅 的评语").fill("进步明显。")
    page.get_by_role("button", name="保存，并将已评定的提交人力资源").click()
    assert page.get_by_text("已提交人力资源审批：韩梅梅, 李雷。").is_visible()
    assert Review.objects.filter(status=ReviewStatus.MANAGER_REVIEW).count() == 2
    sign_out(page)

    sign_in(page, "li.lei")
    page.get_by_role("link", name="我的绩效评估").click()
    assert "经理已提交评估" in page.get_by_role("row").filter(has_text="2026年第1季度").first.inner_text()
    page.get_by_role("link", name="2026年第1季度").click()
    review = Review.objects.get(employee__username="li.lei", period="2026-Q1")
    assert "人力资源审批后显示" in page.get_by_role("row").filter(has_text="内部协作评价").first.inner_text()
    assert not page.get_by_text("乐于分享客户笔记。").is_visible()

    services.review_approve(review=review, user=User.objects.get(username="hr"))
    page.reload()
    assert "8.5" in page.get_by_role("row").filter(has_text="内部协作评价").first.inner_text()
    assert page.get_by_text("乐于分享客户笔记。").is_visible()
    entry = MetricEntry.objects.get(assignment__employee__username="li.lei", period="2026-Q1")
    assert (entry.value, entry.updated_by) == (Decimal("8.5"), User.objects.get(username="wang.fang"))
