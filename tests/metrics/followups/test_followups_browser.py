"""In a real browser, in Chinese: HR records a promotion and a formal warning for March's flagged
people; the warned employee reads and acknowledges it; HR sees it acknowledged."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from metrics.followups.models import Decision, FollowUpDecision
from tests.conftest import browser_login, browser_logout
from tests.metrics.followups.conftest import PASSWORD, march_closed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_chinese(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def sign_out(page: Page) -> None:
    browser_logout(page)


def test_hr_decides_for_march_s_flagged_people_and_the_warned_employee_acknowledges(page: Page, examples: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    march_closed(examples)

    browser_login(page, "hr", PASSWORD)
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="考核周期").first.click()
    page.get_by_role("link", name="2026年3月", exact=True).click()
    page.get_by_role("link", name="跟进事项：晋升候选、预警及其他所有标记").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026年3月 跟进事项")

    rows = page.locator("#follow-ups tbody tr")
    expect(rows.filter(has_text="李雷")).to_contain_text("晋升候选")
    expect(rows.filter(has_text="韩梅梅")).to_contain_text("预警")
    page.get_by_role("link", name="为 李雷 作出决定").click()
    page.get_by_role("combobox", name="决定").select_option(label="晋升")
    page.get_by_label("给员工的说明").fill("连续三个月绩效优秀，晋升为高级客户经理")
    page.get_by_role("button", name="记录决定").click()
    expect(page.get_by_text("已记录 李雷（2026年3月）的决定。")).to_be_visible()
    expect(rows.filter(has_text="李雷")).to_contain_text("晋升")

    page.get_by_role("link", name="为 韩梅梅 作出决定").click()
    page.get_by_role("combobox", name="决定").select_option(label="正式警告")
    page.get_by_label("给员工的说明").fill("三月客户满意度未达标，请与经理制定改进计划")
    page.get_by_role("button", name="记录决定").click()
    expect(rows.filter(has_text="韩梅梅")).to_contain_text("正式警告")
    expect(rows.filter(has_text="韩梅梅")).to_contain_text("尚未确认")
    sign_out(page)

    sign_in_chinese(page, "han.mei")
    warning = page.get_by_role("region", name="您有一份正式警告待阅读")
    expect(warning).to_contain_text("2026年3月：孙丽 于")
    expect(warning).to_contain_text("三月客户满意度未达标，请与经理制定改进计划")
    warning.get_by_role("button", name="我已阅读此警告").click()
    expect(page.get_by_text("您已确认 2026年3月 的正式警告。")).to_be_visible()
    expect(page.get_by_role("region", name="您有一份正式警告待阅读")).to_have_count(0)
    page.get_by_role("link", name="我的得分").click()
    expect(page.get_by_role("region", name="2026年3月").get_by_role("note")).to_contain_text("已于")
    sign_out(page)

    sign_in_chinese(page, "hr")
    page.goto("/cycles/2026-03/follow-ups/?flag=warning")
    expect(rows.filter(has_text="韩梅梅")).to_contain_text("已于")
    expect(rows.filter(has_text="韩梅梅")).not_to_contain_text("尚未确认")

    warned = FollowUpDecision.objects.get(employee__username="han.mei")
    assert warned.decision == Decision.FORMAL_WARNING and warned.acknowledged_at is not None
    assert FollowUpDecision.objects.get(employee__username="li.lei").decision == Decision.PROMOTION
    assert errors == []
