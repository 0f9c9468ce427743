"""HR assigns a department a plan in a real browser, in Chinese: a preview first, then confirmed."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from people.models import Role, User
from plans.models import Assignment
from tests.factories import DepartmentFactory, UserFactory, assign, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"


@pytest.fixture
def zh_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A tab whose browser asks for Chinese, as HR's does."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_hr_previews_and_confirms_a_department_where_a_seniors_own_amounts_are_kept(zh_page: Page) -> None:
    page = zh_page
    version = publish()
    sales = DepartmentFactory.create(name="客户一部")
    senior = UserFactory.create(username="zhao.min", display_name="赵敏", department=sales)
    assign(senior, version, start="2026-01", monthly_bonus="2500", quarterly_bonus="7500")
    UserFactory.create(username="li.lei", display_name="李雷", department=sales)
    User.objects.create_user(username="hr", password=PASSWORD, role=Role.HR, display_name="孙丽")

    sign_in(page, "hr")
    page.get_by_role("link", name="人员").first.click()
    page.get_by_role("link", name="为部门分配方案").first.click()
    page.get_by_label("部门").select_option(label="客户一部")
    page.get_by_label("方案").select_option(label="客户管理员绩效方案")
    month = page.get_by_label("起始月份")
    assert month.get_attribute("type") == "month"  # the browser's month picker
    month.fill("2026-04")
    page.get_by_label("月度奖金").fill("2000")
    page.get_by_label("季度奖金").fill("6000")
    expect(page.get_by_label("覆盖所有人的奖金金额")).not_to_be_checked()
    page.get_by_role("button", name="预览", exact=True).click()

    preview = page.locator("#assign-preview")
    expect(preview).to_contain_text("共 2 人。")
    zhao = preview.get_by_role("row").filter(has_text="赵敏")
    expect(zhao).to_contain_text("¥2,500.00")
    expect(zhao).to_contain_text("¥7,500.00")
    expect(zhao).to_contain_text("保留本人金额")
    li = preview.get_by_role("row").filter(has_text="李雷")
    expect(li).to_contain_text("2026年4月")
    expect(li).to_contain_text("¥2,000.00")
    assert "zhao.min" not in preview.inner_text()
    assert not Assignment.objects.filter(employee__username="li.lei").exists()  # nothing saved yet

    preview.get_by_role("button", name="确认并保存").click()
    page.wait_for_url("**/people/?department=*")
    expect(page.locator(".alert-success")).to_contain_text("方案已分配。新增方案分配：1 条，修改：0 条，未变：1 条。")
    assert list(Assignment.objects.filter(employee=senior).values_list("start", "monthly_bonus")) == [
        ("2026-01", Decimal("2500"))
    ]
    assert Assignment.objects.get(employee__username="li.lei").monthly_bonus == Decimal("2000")
