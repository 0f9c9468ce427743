"""In Chinese, in a real browser: HR invites a person, who sets a password from the email's link
and signs in; later they forget it and choose a new one."""

from collections.abc import Iterator

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from people.models import Department, Role, User
from tests.conftest import browser_logout
from tests.people.logins.conftest import link_path, newcomer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chinese_browser(browser: Browser, live_server: LiveServer, settings: Settings) -> Iterator[Browser]:
    settings.LANGUAGE_CODE = "zh-hans"  # the site's language, as in production: the emails' too
    yield browser


def tab(browser: Browser, live_server: LiveServer) -> Page:
    """A tab of a new browser (its own cookies) set to Chinese."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def set_password(page: Page, password: str) -> None:
    page.get_by_label("新密码").first.fill(password)  # the first of 新密码 and 新密码确认
    page.get_by_label("新密码确认").fill(password)
    page.get_by_role("button", name="保存密码").click()


def test_hr_invites_li_lei_who_sets_a_password_signs_in_forgets_it_and_resets_it(
    chinese_browser: Browser, live_server: LiveServer
) -> None:
    User.objects.create_user(username="hr", password="Hr-Office-2026", role=Role.HR, display_name="孙丽")
    newcomer("li.lei", name="李雷", email="li.lei@example.com", department=Department.objects.create(name="客户一部"))

    hr = tab(chinese_browser, live_server)
    sign_in(hr, "hr", "Hr-Office-2026")
    hr.get_by_role("link", name="人员").first.click()
    row = hr.locator("table tbody tr", has_text="李雷")
    assert "未邀请" in row.inner_text()
    row.get_by_role("button", name="邀请 李雷").click()
    hr.wait_for_url("**/people/")
    assert "已向 1 人发送邀请：李雷。" in hr.locator(".alert-success").inner_text()
    assert "由 孙丽" in hr.locator("table tbody tr", has_text="李雷").inner_text()

    (invitation,) = mail.outbox
    assert invitation.to == ["li.lei@example.com"]
    assert "您的用户名：li.lei" in invitation.body
    li = tab(chinese_browser, live_server)
    li.goto(link_path(invitation.body))
    assert li.get_by_role("heading", name="设置密码").is_visible()
    set_password(li, "12345")  # too short, all digits: refused, in Chinese
    assert "密码太短：至少需要 8 个字符。" in li.locator("main form").inner_text()
    set_password(li, "Spring-Garden-88")
    li.wait_for_url("**/accounts/login/")
    assert "密码已设置" in li.get_by_role("alert").inner_text()
    sign_in(li, "li.lei", "Spring-Garden-88")
    assert "李雷" in li.locator("nav").inner_text()
    hr.reload()
    assert "最近登录" in hr.locator("table tbody tr", has_text="李雷").inner_text()

    # Weeks later: signed out, the password forgotten.
    browser_logout(li)
    li.get_by_role("link", name="忘记密码？").click()
    li.get_by_label("电子邮件").fill("li.lei@example.com")
    li.get_by_role("button", name="发送链接").click()
    li.wait_for_url("**/accounts/password/reset/sent/")
    assert li.get_by_role("heading", name="请查收邮件").is_visible()
    reset = mail.outbox[-1]
    assert reset.subject == "重新设置绩效方案管理的密码"
    li.goto(link_path(reset.body))
    set_password(li, "Autumn-River-77")
    li.wait_for_url("**/accounts/password/reset/complete/")
    li.get_by_role("link", name="登录").last.click()
    sign_in(li, "li.lei", "Autumn-River-77")
    assert "李雷" in li.locator("nav").inner_text()
