"""HR tries a draft of the seed plan on the first quarter, in Chinese, in a real browser."""

import datetime
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from metrics.results import simulation_views
from metrics.results.models import Result
from people.models import Role, User
from tests.conftest import screenshots_taken
from tests.metrics.results.test_cycle_pages import close, examples_loaded
from tests.metrics.results.test_simulation_page import QUARTER, stricter_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-1"


@pytest.fixture
def zh_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_hr_tries_a_stricter_draft_on_the_first_quarter(
    zh_page: Page, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulation_views, "company_today", lambda: datetime.date(2026, 5, 6))
    examples_loaded(examples)
    for period in QUARTER:
        close(period)
    stricter_draft()
    User.objects.create_user(username="hr", password=PASSWORD, role=Role.HR, display_name="孙丽")
    page = zh_page
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("hr")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")

    page.goto("/plans/customer-manager/draft/")
    page.get_by_role("link", name="在过去的周期上试算").click()
    page.get_by_label("考核周期").select_option("2026-Q1")
    page.get_by_role("button", name="试算", exact=True).click()

    expect(page.locator("#try-summary")).to_contain_text("1 人等级有变化")
    expect(page.locator("#bonus-before")).to_have_text("¥10,200.00")
    expect(page.locator("#bonus-after")).to_have_text("¥6,000.00")
    expect(page.locator("#bonus-change")).to_have_text("-¥4,200.00")
    han = page.locator("#try-people tr", has_text="韩梅梅")
    expect(han).to_contain_text("预警")
    expect(han.locator("td").nth(4)).to_have_text("B")
    expect(han.locator("td").nth(5)).to_have_text("C")
    expect(page.locator("#try-departments")).to_contain_text("客户部")

    page.get_by_label("只看等级有变化的人").check()
    page.get_by_role("button", name="试算", exact=True).click()
    expect(page.locator("#try-people tbody tr")).to_have_count(1)
    if os.environ.get("SCREENSHOT_DIR"):
        page.get_by_label("只看等级有变化的人").uncheck()
        page.get_by_role("button", name="试算", exact=True).click()
        screenshots_taken(page, "plan-try", username="hr")

    with page.expect_download() as download:
        page.locator("#try-xlsx").click()
    assert download.value.suggested_filename == "customer-manager-draft-2026-Q1.xlsx"
    assert Result.objects.filter(period="2026-Q1").count() == 2  # nothing saved
