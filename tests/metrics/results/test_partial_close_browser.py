"""In a real browser, in Chinese: HR closes the team that is done, then the late one (SPEC.md section 8)."""

from pathlib import Path

import pytest
from celery.worker.worker import WorkController
from playwright.sync_api import Page, expect

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.services import metrics_import
from metrics.results.models import Result
from people.models import Role, User
from plans.periods import Period
from tests.conftest import browser_login
from tests.factories import csv_table
from tests.metrics.results.test_cycle_pages import WU_DI, examples_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"
WU_DI_FIGURES = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"


def test_hr_closes_the_team_that_is_done_then_the_late_one(
    page: Page, examples: Path, celery_worker: WorkController
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    examples_loaded(examples, WU_DI)  # 客户部's li.lei is complete; 客户二部's wu.di has nothing in
    User.objects.create_user(username="hr", password=PASSWORD, role=Role.HR, display_name="孙丽")

    browser_login(page, "hr", PASSWORD)
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    page.goto("/cycles/2026-01/")
    parts = page.locator("#cycle-parts")
    expect(parts).to_contain_text("已关闭 0 人；仍未关闭 2 人，其中 1 人数据齐全。")
    expect(page.locator("#parts-departments tr[data-key='客户部']")).to_have_text("客户部 0 1 0", use_inner_text=True)

    close_part = page.locator("#close-part")
    close_part.get_by_label("客户部").check()
    close_part.get_by_role("button", name="关闭所选人员").click()

    # The worker scores 客户部 while the page polls; then the page shows the month closed in part.
    expect(page.locator("#cycle-status")).to_have_text("部分关闭", timeout=30_000)
    expect(parts).to_contain_text("已关闭 1 人；仍未关闭 1 人，其中 0 人数据齐全。")
    expect(page.locator("#parts-departments tr[data-key='客户部']")).to_have_text("客户部 1 0 0", use_inner_text=True)
    expect(page.locator("#summary-results")).to_have_text("1")
    expect(page.get_by_role("row").filter(has_text="部分关闭").filter(has_text="部门 客户部")).to_be_visible()
    assert set(Result.objects.values_list("employee__username", flat=True)) == {"li.lei"}

    # 客户部 is read-only in the grid now; 客户二部's late manager enters wu.di's figures.
    page.goto("/figures/2026-01/")
    li_lei = page.locator("tr[data-employee='li.lei']")
    expect(li_lei).to_contain_text("已关闭")
    expect(li_lei.locator("input").first).to_be_disabled()
    expect(page.locator("tr[data-employee='wu.di'] input").first).to_be_enabled()
    metrics_import(table=csv_table(WU_DI_FIGURES + "wu.di,2026-01,1,40,9,3,30,30\n"))

    page.goto("/cycles/2026-01/")
    page.get_by_role("button", name="关闭 2026年1月 的其余人员").click()
    expect(page.locator("#cycle-status")).to_have_text("已关闭", timeout=30_000)
    expect(page.locator("#summary-results")).to_have_text("2")
    assert cycle_status(period=Period.parse("2026-01")) == CycleStatus.CLOSED
    assert errors == []
