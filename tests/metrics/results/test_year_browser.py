"""A closed year, in Chinese, through the pages: HR closes 2025 from its cycle page once its four
quarters are, then reads its ranking and li.lei's scorecard (the README's worked example)."""

from pathlib import Path

import pytest
from celery.worker.worker import WorkController
from playwright.sync_api import Page, expect

from metrics.results.models import Result
from people.models import Role, User
from tests.conftest import browser_login, screenshots_taken
from tests.metrics.results.test_year import year_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"


def test_hr_closes_the_year_and_reads_its_ranking_and_a_scorecard_in_chinese(
    page: Page, tmp_path: Path, celery_worker: WorkController
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    year_ready(tmp_path)
    User.objects.create_user(username="hr", password=PASSWORD, role=Role.HR, display_name="孙丽")

    browser_login(page, "hr", PASSWORD)
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()

    # The cycles list names the year in words, after its fourth quarter.
    page.goto("/cycles/")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="2025年第4季度").locator("xpath=following-sibling::tr[1]")).to_contain_text("2025年度")
    rows.get_by_role("link", name="2025年度").click()

    page.get_by_role("button", name="关闭 2025").click()
    expect(page.locator("#cycle-status")).to_have_text("已关闭", timeout=30_000)
    expect(page.locator("#summary-results")).to_have_text("2")
    expect(page.locator("#summary-bonus")).to_have_text("¥24,000.00")
    assert Result.objects.filter(period="2025").count() == 2

    page.get_by_role("link", name="年度排名（按方案和部门）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2025年度 排名")
    first, second = page.locator("#ranking tbody tr").nth(0), page.locator("#ranking tbody tr").nth(1)
    expect(first).to_contain_text("李雷")
    expect(first).to_contain_text("101.00")
    expect(first).to_contain_text("¥24,000.00")
    expect(first).to_contain_text("104.89 · 88.00 · 104.22 · 106.89")
    expect(first).to_contain_text("2025年3月 – 2025年12月（10 个月） 晋升候选")
    expect(second).to_contain_text("韩梅梅")
    expect(second).to_contain_text("50.44")
    expect(second).to_contain_text("预警")
    expect(second).to_contain_text("数据不完整")
    expect(second).to_contain_text("— · 39.67 · 34.67 · 77.00")
    text = page.locator("main").inner_text()
    for code in ("promotion_candidate", "warning", "incomplete", "li.lei"):
        assert code not in text, code
    screenshots_taken(page, "year-ranking", username="hr")

    # li.lei's scorecard: the year, each indicator the mean of its quarters.
    first.get_by_role("link", name="李雷").click()
    year = page.locator("section").filter(has=page.get_by_role("heading", name="2025年度", exact=True))
    expect(year).to_contain_text("年度")
    expect(year.locator(".score")).to_have_text("101.00")
    expect(year).to_contain_text("本年度 4 个季度得分的平均值。")
    assert errors == []
