"""A calibration in a real browser, in Chinese: HR moves 赵敏 from B to A with a reason, sees the
distribution follow, releases the month, and 赵敏 then reads the move on her scorecard."""

import pytest
from playwright.sync_api import Page, expect

from people.models import User
from tests.conftest import browser_login, browser_logout, screenshots_taken
from tests.metrics.results.calibration_data import calibrated_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"


def test_hr_moves_one_person_from_b_to_a_and_releases_in_chinese(page: Page) -> None:
    calibrated_month()
    for username in ("hr", "zhao.min"):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.language = "zh-hans"
        user.save()

    browser_login(page, "hr", PASSWORD)
    page.goto("/cycles/2026-01/")
    page.get_by_role("link", name="校准看板：调整等级、发布结果").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026年1月 校准")
    expect(page.get_by_text("员工还看不到这些结果")).to_be_visible()

    row = page.locator("#board tr[data-employee='zhao.min']")
    expect(row.locator(".band")).to_have_text("B")
    row.get_by_label("调整为").select_option("A")
    row.get_by_label("原因").fill("全年表现突出")
    row.get_by_role("button", name="调整").click()

    expect(page.get_by_text("赵敏 已从 B 调整为 A。")).to_be_visible()
    expect(page.locator("#board tr[data-employee='zhao.min'] .band")).to_have_text("A")
    distribution = page.locator("#distribution tbody tr").first
    expect(distribution).to_contain_text("50.0% (2)")
    expect(distribution).to_contain_text("高于指引")
    expect(page.locator("#history")).to_contain_text("全年表现突出")
    screenshots_taken(page, "calibration", username="hr")

    page.get_by_role("button", name="向员工发布结果").click()
    expect(page.get_by_text("结果已发布：员工现在可以看到。")).to_be_visible()
    expect(page.locator("#released")).to_contain_text("孙丽")
    expect(page.get_by_role("button", name="调整")).to_have_count(0)

    browser_logout(page)
    browser_login(page, "zhao.min", PASSWORD)
    page.goto("/scores/")
    expect(page.locator(".calibration")).to_have_text("校准：B → A，原因：全年表现突出")
    expect(page.get_by_text("已校准")).to_be_visible()
    expect(page.get_by_text("¥3,000.00")).to_be_visible()
