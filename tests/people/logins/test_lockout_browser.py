"""In a real browser, in Chinese: five wrong passwords lock li.lei out, so the right one is refused
the sixth time; an admin lifts the lockout, li.lei signs in, and HR reads it all in the access log."""

from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from people.models import Role
from tests.conftest import browser_menu
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "right-pass-1"


@pytest.fixture
def new_tab(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[], Page]]:
    """Opens a tab in a browser of its own that asks for Chinese: one a person."""
    contexts: list[BrowserContext] = []

    def open_tab() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def person(username: str, name: str, role: Role) -> None:
    user = UserFactory.create(username=username, display_name=name, role=role)
    user.set_password(PASSWORD)
    user.save()


def test_a_locked_out_person_is_let_in_by_an_admin_and_hr_reads_the_access_log(
    new_tab: Callable[[], Page],
) -> None:
    person("li.lei", "李雷", Role.EMPLOYEE)
    person("root", "系统管理员", Role.ADMIN)
    person("hr.wang", "王芳", Role.HR)

    employee = new_tab()
    for n in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(employee, "li.lei", f"guess-{n}")
        expect(employee.get_by_text("请输入一个正确的用户名和密码")).to_be_visible()
    sign_in(employee, "li.lei", "guess-last")
    expect(employee.locator("#lockout-message")).to_contain_text("密码错误次数过多。")

    sign_in(employee, "li.lei", PASSWORD)  # the sixth attempt, with the right password
    message = employee.locator("#lockout-message")
    expect(message).to_contain_text("用户 li.lei 从此地址登录已被锁定 15 分钟")
    expect(employee.get_by_role("link", name="返回登录")).to_be_visible()

    admin = new_tab()
    sign_in(admin, "root", PASSWORD)
    admin.wait_for_url("**/")
    browser_menu(admin, "登录锁定")
    row = admin.locator("#lockouts-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("李雷")
    expect(row).to_contain_text(str(settings.LOGIN_FAILURE_LIMIT))
    admin.get_by_role("button", name="解除李雷的登录锁定").click()
    expect(admin.get_by_text("李雷 可以再次从 127.0.0.1 登录。")).to_be_visible()
    expect(admin.get_by_text("没有被锁定的账号。")).to_be_visible()

    employee.get_by_role("link", name="返回登录").click()
    sign_in(employee, "li.lei", PASSWORD)
    employee.wait_for_url("**/")
    expect(employee.locator("nav")).to_contain_text("李雷")

    hr = new_tab()
    sign_in(hr, "hr.wang", PASSWORD)
    hr.wait_for_url("**/")
    browser_menu(hr, "访问记录")
    hr.get_by_label("人员").fill("李雷")
    hr.get_by_role("button", name="筛选").click()
    rows = hr.locator("#access-table tbody tr")
    # newest first: signed in; the lockout lifted; the refused sixth attempt; the fifth failure and
    # the lockout it caused (axes records the lockout first); the four failures before
    expect(rows).to_have_count(1 + 1 + 1 + 1 + settings.LOGIN_FAILURE_LIMIT)
    expect(rows.nth(0)).to_contain_text("已登录")
    expect(rows.nth(1)).to_contain_text("已解除锁定")
    expect(rows.nth(1)).to_contain_text("由 系统管理员 解除")
    expect(rows.nth(2)).to_contain_text("被拒绝：密码错误次数过多，已锁定")
    expect(rows.nth(3)).to_contain_text("登录失败")
    expect(rows.nth(4)).to_contain_text("已锁定")
    expect(rows.nth(4)).to_contain_text("输错 5 次密码后")
    expect(rows.nth(0)).to_contain_text("127.0.0.1")
    expect(rows.nth(0)).to_contain_text("Chrome")
    hr.get_by_label("事项").select_option(label="登录失败")
    hr.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1 + settings.LOGIN_FAILURE_LIMIT)
