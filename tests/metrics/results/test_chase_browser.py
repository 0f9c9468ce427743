"""In a real browser, in Chinese: HR chases a late manager from February's cycle page, then the
manager reads on their home page what is missing and by when."""

import re
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from config import home
from metrics.figures.models import Reminder
from people.models import User
from tests.conftest import browser_login, browser_logout
from tests.metrics.figures.test_remind_now import team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"
MARCH_10 = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def with_password(username: str) -> None:
    user = User.objects.get(username=username)
    user.set_password(PASSWORD)
    user.save()


def test_hr_reminds_the_late_manager_once_and_the_manager_sees_the_deadline_and_what_is_missing(
    page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    team()  # February: 王芳's 韩梅梅 lacks 3 values, 赵磊's 别人 4
    with_password("zhang.wei")
    with_password("wang.fang")
    monkeypatch.setattr(home, "timezone", SimpleNamespace(now=lambda: MARCH_10))  # the manager reads on 2026-03-10

    browser_login(page, "zhang.wei", PASSWORD)
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="考核周期").click()
    page.get_by_role("link", name="2026年2月").click()

    wang = page.locator(".chase-team").filter(has_text="王芳")
    expect(wang).to_contain_text("缺少 3 项数据")
    expect(wang.get_by_text("韩梅梅")).to_be_hidden()  # who and what, on demand
    wang.get_by_text("缺少哪些人的哪些数据").click()
    expect(wang.get_by_text("韩梅梅: 客户流失率、反馈处理及时率、新客户签约")).to_be_visible()

    wang.get_by_role("button", name="立即提醒 王芳").click()
    expect(page.get_by_role("alert")).to_have_text("已提醒 王芳：邮件中列出了其团队 2026年2月 仍缺少的数据。")
    wang = page.locator(".chase-team").filter(has_text="王芳")
    expect(wang.locator(".chase-reminded")).to_have_text(
        re.compile(r"^已由 张伟 于 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} 提醒$")
    )
    expect(page.locator(".chase-team").filter(has_text="赵磊").locator(".chase-reminded")).to_have_count(0)

    wang.get_by_role("button", name="立即提醒 王芳").click()  # a second click, within the hour
    expect(page.get_by_role("alert")).to_contain_text("张伟 已于 ")
    expect(page.get_by_role("alert")).to_contain_text("就 2026年2月 的数据提醒过 王芳：每小时最多提醒一次")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wang@example.com"]
    assert Reminder.objects.get().sent_by == User.objects.get(username="zhang.wei")

    browser_logout(page)
    page.get_by_label("用户名").fill("wang.fang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")

    months = page.get_by_role("region", name="团队数据录入情况")

    def month(name: str) -> Locator:
        return months.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))

    february = month("2026年2月")
    expect(february).to_have_text("2026年2月 2026年3月5日 已逾期 3 录入2026年2月的数据", use_inner_text=True)
    expect(month("2026年1月")).to_contain_text("2026年2月5日 已逾期 4")
    expect(month("2026年3月")).to_contain_text("2026年4月5日 8")
    expect(months.get_by_role("row")).to_have_count(4)  # the header and three months
    february.get_by_role("link", name="录入2026年2月的数据").click()
    page.wait_for_url("**/figures/2026-02/")
    assert errors == []
