"""Single sign-on in a real browser, in Chinese: the login page's company button, the provider's
own sign-in form (a real OpenID Connect provider on the loopback), and back, signed in."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from people.models import Role, User
from tests.people.logins.conftest import CLIENT_ID, CLIENT_SECRET, sso_configure
from tests.people.logins.oidc_provider import Account, Provider, provider_started

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_provider(live_server: LiveServer, settings: Settings) -> Iterator[Provider]:
    callback = f"{live_server.url}/accounts/oidc/callback/"
    with provider_started(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[callback]) as provider:
        sso_configure(settings, provider)
        yield provider


@pytest.fixture
def chinese_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def company_sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_role("link", name="使用公司账号登录").click()
    expect(page.get_by_role("heading", name="公司统一身份认证")).to_be_visible()
    page.get_by_label("账号").fill(username)
    page.get_by_label("口令").fill(password)
    page.get_by_role("button", name="登录公司账号").click()


def test_a_manager_signs_in_with_the_company_account(
    chinese_page: Page, live_server: LiveServer, live_provider: Provider
) -> None:
    # Imported through the roster: no password of ours.
    User.objects.create_user(username="wang.fang", display_name="王芳", role=Role.MANAGER)
    live_provider.add(Account("wang.fang", "company-pass-1"))
    live_provider.add(Account("zhang.san", "company-pass-2"))
    page = chinese_page

    page.goto("/scores/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_label("用户名")).to_be_visible()  # the password form is still there

    company_sign_in(page, "zhang.san", "company-pass-2")
    expect(page.get_by_role("alert")).to_contain_text("系统中没有公司账号 zhang.san 对应的人员")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")

    company_sign_in(page, "wang.fang", "company-pass-1")
    page.wait_for_url(f"{live_server.url}/scores/")
    expect(page.get_by_text("王芳").first).to_be_visible()
    expect(page.locator("#menu-user")).to_be_visible()  # signed in: the person's own menu
