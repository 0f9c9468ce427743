"""In a real browser, in Chinese: HR registers a hook for a loopback receiver and sends it a test
event, which arrives signed with the secret the page shows, and the log says it was delivered."""

import pytest
from playwright.sync_api import Page, expect

from metrics.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from people.models import User
from tests.conftest import browser_login, browser_menu
from tests.metrics.webhooks.conftest import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_here")]


def test_hr_registers_a_hook_and_sends_it_a_test_event_in_chinese(
    page: Page, receiver: Receiver, hr_user: User
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_login(page, "hr", "secret-pass-1")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()

    browser_menu(page, "事件推送")
    expect(page.get_by_role("heading", level=1)).to_have_text("事件推送")
    expect(page.get_by_text("还没有添加任何推送。")).to_be_visible()
    page.get_by_role("link", name="添加推送").click()
    page.locator("#id_name").fill("薪酬系统")
    page.get_by_label("接收网址").fill("http://payroll.example.com/hook")
    page.get_by_label("考核周期已结算（全部或部分）").check()
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.get_by_text("网址必须以 https:// 开头：事件含有员工数据，必须加密传输。")).to_be_visible()

    page.get_by_label("接收网址").fill(receiver.url)
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.get_by_text("已添加推送“薪酬系统”。请把密钥交给接收方，用于校验每次推送的签名。")).to_be_visible()
    hook = Webhook.objects.get()
    expect(page.locator("#webhook-secret")).to_have_text(hook.secret)
    expect(page.get_by_text("考核周期已结算（全部或部分）", exact=True)).to_be_visible()

    page.get_by_role("button", name="发送测试事件").click()
    expect(page.get_by_text("测试事件正在发往“薪酬系统”：发送记录见下方。")).to_be_visible()
    (got,) = receiver.wait_for(1)
    assert got.signed_by(hook.secret) and got.data["type"] == "webhook.test"
    row = page.locator("#deliveries tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("测试事件")
    expect(row).to_contain_text("已送达")
    expect(row).to_contain_text("200")
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED

    row.get_by_role("link").click()
    expect(page.locator("#payload")).to_contain_text(got.data["id"])
    expect(page.locator("#attempts")).to_contain_text("第 1 次尝试")
    assert errors == []
