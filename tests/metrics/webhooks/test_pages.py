"""HR's webhooks pages, in Chinese and English: register, send a test event, read the log, re-send,
change, disable and delete; nobody but HR and admins gets in."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks

from metrics.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from metrics.webhooks.services import delivery_attempt, webhook_test_send
from people.models import Role, User
from tests.metrics.results.test_cycle_pages import client_for, page_text
from tests.metrics.webhooks.conftest import Answer, Receiver, hook_for

pytestmark = pytest.mark.usefixtures("tasks_here")
CODES = ("cycle.closed", "cycle.reopened", "figures.missing", "webhook.test", "succeeded", "retrying", "None", "ms")


def chinese(user: User) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def no_codes(text: str) -> None:
    for code in CODES:
        assert not re.search(rf"\b{re.escape(code)}\b", text), code


def visible(content: bytes) -> str:
    """The page's words, without what was sent and received (data, not the page's words)."""
    return page_text(re.sub(rb"<pre[^>]*>.*?</pre>", b"", content, flags=re.S))


def test_only_hr_and_admins_reach_the_pages(receiver: Receiver, hr_user: User) -> None:
    hook = hook_for(receiver, hr_user)
    delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=lambda pk: None)
    admin = User.objects.create_user(username="admin", role=Role.ADMIN)
    manager = User.objects.create_user(username="wang.fang", role=Role.MANAGER)
    employee = User.objects.create_user(username="li.lei", role=Role.EMPLOYEE, manager=manager)
    gets = ["/webhooks/", "/webhooks/new/", f"/webhooks/{hook.pk}/", f"/webhooks/{hook.pk}/edit/"]
    gets += [f"/webhooks/{hook.pk}/delete/", f"/webhooks/deliveries/{delivery.pk}/"]
    posts = [
        f"/webhooks/{hook.pk}/test/",
        f"/webhooks/{hook.pk}/secret/",
        f"/webhooks/deliveries/{delivery.pk}/resend/",
    ]
    posts += [f"/webhooks/{hook.pk}/delete/"]

    for user in (manager, employee):
        client = client_for(user)
        assert [client.get(url).status_code for url in gets] == [403] * len(gets)
        assert [client.post(url).status_code for url in posts] == [403] * len(posts)
        assert "/webhooks/" not in client.get("/").content.decode()
    assert Client().get("/webhooks/").status_code == 302
    assert [client_for(admin).get(url).status_code for url in gets] == [200] * len(gets)
    assert Webhook.objects.filter(pk=hook.pk).exists() and WebhookDelivery.objects.count() == 1
    assert len(receiver.received) == 0


def test_hr_registers_a_hook_in_chinese_and_reads_its_secret_once_registered(receiver: Receiver, hr_user: User) -> None:
    hr = chinese(hr_user)
    refused = hr.post(
        "/webhooks/new/", {"name": "薪酬系统", "url": "http://payroll.example.com/hook", "events": ["cycle.closed"]}
    )
    assert "网址必须以 https:// 开头：事件含有员工数据，必须加密传输。" in page_text(refused.content)
    empty = page_text(hr.post("/webhooks/new/", {"name": "", "url": "", "events": []}).content)
    assert "请给这个推送起个名字" in empty and "请输入完整的网址" in empty and "请至少选择一个事件。" in empty
    assert not Webhook.objects.exists()

    response = hr.post(
        "/webhooks/new/",
        {"name": "薪酬系统", "url": receiver.url, "events": ["cycle.closed", "figures.missing"]},
        follow=True,
    )

    hook = Webhook.objects.get()
    assert hook.events == ["cycle.closed", "figures.missing"] and hook.created_by == hr_user and hook.active
    html = response.content.decode()
    assert "<details open>" in html and hook.secret in html
    text = visible(response.content)
    assert "已添加推送“薪酬系统”。请把密钥交给接收方" in text
    assert "考核周期已结算（全部或部分）、临近或超过截止日期仍有数据未填" in text
    assert "尚未发送过任何事件。" in text and "孙丽" in text
    no_codes(text)
    # Later, the secret is there on demand, folded.
    assert "<details>" in hr.get(f"/webhooks/{hook.pk}/").content.decode()
    listing = visible(hr.get("/webhooks/").content)
    assert "薪酬系统" in listing and receiver.url in listing and "启用" in listing and "暂无" in listing
    no_codes(listing)


def test_hr_sends_a_test_event_reads_the_log_and_re_sends_a_failed_delivery(
    receiver: Receiver, hr_user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    hook = hook_for(receiver, hr_user)
    hr = chinese(hr_user)
    receiver.answer(Answer(500, b"payroll is down"))

    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(f"/webhooks/{hook.pk}/test/")

    (got,) = receiver.wait_for(1)
    assert got.signed_by(hook.secret) and got.data["type"] == "webhook.test"
    text = visible(hr.get(response["Location"]).content)
    assert "测试事件正在发往“薪酬系统”" in text
    assert "测试事件" in text and "失败，稍后重试" in text and "500" in text and "毫秒" in text
    assert "接收方返回了错误: payroll is down" in text
    no_codes(text)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.next_attempt_at

    detail = hr.get(f"/webhooks/deliveries/{delivery.pk}/")
    assert got.data["id"] in detail.content.decode() and "&quot;type&quot;: &quot;webhook.test&quot;" in (
        detail.content.decode()
    )
    detail_text = visible(detail.content)
    assert "第 1 次尝试" in detail_text and "响应状态码 500" in detail_text and "下次尝试" in detail_text
    no_codes(detail_text)

    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(f"/webhooks/deliveries/{delivery.pk}/resend/")

    first, second = receiver.wait_for(2)
    assert first.body == second.body
    text = visible(hr.get(response["Location"]).content)
    assert "事件已作为一次新的推送重新发送" in text and "已送达" in text and "重新发送" in text
    assert WebhookDelivery.objects.get(resend_of=delivery).status == DeliveryStatus.SUCCEEDED


def test_hr_changes_disables_renews_the_secret_of_and_deletes_a_hook(receiver: Receiver, hr_user: User) -> None:
    hook = hook_for(receiver, hr_user)
    hr = chinese(hr_user)
    old_secret = hook.secret
    form = hr.get(f"/webhooks/{hook.pk}/edit/").content.decode()
    assert receiver.url in form and "checked" in form

    hr.post(
        f"/webhooks/{hook.pk}/edit/",
        {"name": "企业微信通知", "url": receiver.url + "/v2", "events": ["cycle.reopened"], "active": ""},
    )
    hook.refresh_from_db()
    assert (hook.name, hook.url, hook.events, hook.active) == (
        "企业微信通知",
        receiver.url + "/v2",
        ["cycle.reopened"],
        False,
    )
    assert "已停用" in page_text(hr.get("/webhooks/").content)

    renewed = hr.post(f"/webhooks/{hook.pk}/secret/", follow=True)
    hook.refresh_from_db()
    assert hook.secret != old_secret and hook.secret in renewed.content.decode()
    assert "已生成新密钥" in page_text(renewed.content)

    assert "删除后该推送不再收到任何事件" in page_text(hr.get(f"/webhooks/{hook.pk}/delete/").content)
    deleted = hr.post(f"/webhooks/{hook.pk}/delete/", follow=True)
    assert "已删除推送“企业微信通知”及其发送记录。" in page_text(deleted.content)
    assert not Webhook.objects.exists()


def test_the_pages_speak_english_too(receiver: Receiver, hr_user: User) -> None:
    hook = hook_for(receiver, hr_user)
    delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=lambda pk: None)
    delivery_attempt(delivery_id=delivery.pk)
    hr = client_for(hr_user)

    text = page_text(hr.get(f"/webhooks/{hook.pk}/").content)
    assert "Send a test event" in text and "Delivered" in text and "Test event" in text and "Show the secret" in text
    assert "Webhooks" in page_text(hr.get("/").content)
    assert "A period is closed (in whole or in part)" in page_text(hr.get("/webhooks/").content)


def test_a_hook_s_page_reads_its_log_in_a_few_queries(receiver: Receiver, hr_user: User) -> None:
    hook = hook_for(receiver, hr_user)
    receiver.answer(*[500] * 10)
    for _ in range(20):
        delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=lambda pk: None)
        delivery_attempt(delivery_id=delivery.pk)
    hr = client_for(hr_user)

    with CaptureQueriesContext(connection) as queries:
        text = page_text(hr.get(f"/webhooks/{hook.pk}/").content)

    assert text.count("Failed, will be retried") == 10 and text.count("Delivered") == 10
    assert len(queries) <= 8, [q["sql"] for q in queries]
