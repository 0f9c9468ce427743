"""Deliveries received on a loopback server: signed, claimed once, retried with a doubling delay
after a failure, each attempt logged; redirects refused, slow and long answers bounded."""

import datetime
import time
from collections.abc import Iterator

import pytest
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from metrics.webhooks.models import DeliveryStatus, Event, WebhookDelivery
from metrics.webhooks.services import (
    WebhookRefused,
    deliveries_overdue,
    delivery_attempt,
    delivery_resend,
    retry_delay,
    url_check,
    webhook_create,
    webhook_secret_rotate,
    webhook_test_send,
)
from metrics.webhooks.tasks import delivery_enqueue
from people.models import User
from tests.metrics.webhooks.conftest import Answer, Receiver, hook_for

pytestmark = pytest.mark.usefixtures("tasks_here")


def nothing(delivery_id: int) -> None:
    """An enqueue that queues nothing: the test sends each attempt itself."""


@pytest.fixture
def quick(settings: Settings) -> Iterator[None]:
    settings.WEBHOOK_RETRY_SECONDS = 60
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    yield


def test_a_test_event_reaches_the_receiver_signed_with_the_hook_s_secret(
    receiver: Receiver, hr_user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    hook = hook_for(receiver, hr_user)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=delivery_enqueue)

    (got,) = receiver.wait_for(1)
    assert got.path == "/hooks/perf"
    assert got.signed_by(hook.secret)
    assert not got.signed_by("whsec_another")
    assert got.headers["X-Webhook-Id"] == got.data["id"] == str(delivery.event_id)
    assert got.headers["X-Webhook-Event"] == got.data["type"] == "webhook.test"
    assert abs(int(got.headers["X-Webhook-Timestamp"]) - time.time()) < 60
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    sent_at = datetime.datetime.fromisoformat(got.data["time"])
    assert sent_at.tzinfo is not None and abs(sent_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert got.data["data"]["webhook"] == "薪酬系统" and got.data["data"]["requested_by"] == "hr"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1 and delivery.delivered_at
    (attempt,) = delivery.attempt_log.all()
    assert attempt.status_code == 200 and attempt.response == '{"ok": true}' and attempt.failure == ""
    assert attempt.duration_ms < 5000


def test_a_500_is_retried_after_a_doubling_delay_then_delivered_and_each_attempt_is_logged(
    receiver: Receiver, hr_user: User, quick: None
) -> None:
    hook = hook_for(receiver, hr_user)
    receiver.answer(Answer(500, b"database down"))
    delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=nothing)

    first = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert first.sent and first.retry_in == 60
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    assert abs(delivery.next_attempt_at - (timezone.now() + datetime.timedelta(seconds=60))) < datetime.timedelta(
        seconds=10
    )

    # Before it is due, a message (a redelivered one) sends nothing.
    assert not delivery_attempt(delivery_id=delivery.pk).sent
    assert len(receiver.received) == 1

    later = delivery.next_attempt_at + datetime.timedelta(seconds=1)
    second = delivery_attempt(delivery_id=delivery.pk, now=later)
    delivery.refresh_from_db()
    assert second.sent and second.retry_in is None
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 2 and delivery.next_attempt_at is None
    log = list(delivery.attempt_log.values_list("number", "status_code", "response"))
    assert log == [(1, 500, "database down"), (2, 200, '{"ok": true}')]
    first_body, second_body = (r.body for r in receiver.received)
    assert first_body == second_body  # the same event, the same id, the same signature
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_it_gives_up_after_the_last_attempt(receiver: Receiver, hr_user: User, quick: None) -> None:
    hook = hook_for(receiver, hr_user)
    receiver.answer(503, 503, 503)
    delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=nothing)
    now = timezone.now()
    for hours in range(3):
        delivery_attempt(delivery_id=delivery.pk, now=now + datetime.timedelta(hours=hours))

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3 and delivery.next_attempt_at is None
    assert not delivery_attempt(delivery_id=delivery.pk, now=now + datetime.timedelta(days=1)).sent
    assert len(receiver.received) == 3


def test_a_delivery_is_sent_once_whoever_holds_its_message(receiver: Receiver, hr_user: User) -> None:
    hook = hook_for(receiver, hr_user)
    delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=nothing)
    # Another worker has claimed it: this one sends nothing.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING)
    assert not delivery_attempt(delivery_id=delivery.pk).sent
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING)

    assert delivery_attempt(delivery_id=delivery.pk).sent
    assert not delivery_attempt(delivery_id=delivery.pk).sent  # a redelivered message, once it is done
    assert len(receiver.received) == 1


def test_a_redirect_is_not_followed(receiver: Receiver, hr_user: User, quick: None) -> None:
    hook = hook_for(receiver, hr_user)
    receiver.answer(Answer(302, b"", {"Location": receiver.url + "/elsewhere"}))
    delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=nothing)
    delivery_attempt(delivery_id=delivery.pk)

    assert [r.path for r in receiver.received] == ["/hooks/perf"]
    delivery.refresh_from_db()
    attempt = delivery.attempt_log.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert attempt.status_code == 302 and attempt.failure == "redirect" and attempt.detail.endswith("/elsewhere")


def test_a_slow_receiver_times_out_and_a_long_answer_is_kept_in_part(
    receiver: Receiver, hr_user: User, quick: None
) -> None:
    hook = hook_for(receiver, hr_user)
    receiver.answer(Answer(200, b"late", delay=3), Answer(500, "错".encode() * 400_000))
    delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=nothing)

    delivery_attempt(delivery_id=delivery.pk)
    delivery_attempt(delivery_id=delivery.pk, now=timezone.now() + datetime.timedelta(hours=1))

    slow, long = delivery.attempt_log.order_by("number")
    assert slow.failure == "timeout" and slow.status_code is None and 900 <= slow.duration_ms < 2900
    assert long.status_code == 500 and long.response == "错" * 2000


def test_addresses_are_https_or_this_machine_s_loopback_while_allowed(settings: Settings) -> None:
    assert url_check(" https://hooks.example.com/perf ") == "https://hooks.example.com/perf"
    assert url_check("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
    assert url_check("http://localhost/x") == "http://localhost/x"
    for bad, words in [
        ("http://hooks.example.com/perf", "must start with https://"),
        ("ftp://hooks.example.com/", "whole web address"),
        ("hooks.example.com", "whole web address"),
        ("https://user:pw@hooks.example.com/", "user name and password"),
    ]:
        with pytest.raises(WebhookRefused, match=words):
            url_check(bad)
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(WebhookRefused, match="must start with https://"):
        url_check("http://127.0.0.1:8080/x")


def test_a_hook_needs_a_name_and_known_events(hr_user: User) -> None:
    with pytest.raises(WebhookRefused, match="at least one event"):
        webhook_create(name="x", url="https://a.example.com/", events=[], user=hr_user)
    with pytest.raises(WebhookRefused, match=r"Unknown event: webhook\.test"):
        webhook_create(name="x", url="https://a.example.com/", events=[Event.TEST], user=hr_user)
    with pytest.raises(WebhookRefused, match="name"):
        webhook_create(name="  ", url="https://a.example.com/", events=[Event.CYCLE_CLOSED], user=hr_user)


def test_a_resend_is_the_same_event_again_as_a_new_delivery(
    receiver: Receiver, hr_user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    hook = hook_for(receiver, hr_user)
    delivery = webhook_test_send(webhook=hook, user=hr_user, enqueue=nothing)
    with pytest.raises(WebhookRefused, match="still on its way"):
        delivery_resend(delivery=delivery, user=hr_user, enqueue=nothing)
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    webhook_secret_rotate(webhook=hook)

    with django_capture_on_commit_callbacks(execute=True):
        again = delivery_resend(delivery=delivery, user=hr_user, enqueue=delivery_enqueue)

    first, second = receiver.wait_for(2)
    assert first.body == second.body and first.headers["X-Webhook-Id"] == second.headers["X-Webhook-Id"]
    assert second.signed_by(hook.secret) and not first.signed_by(hook.secret)  # signed with the new secret
    again.refresh_from_db()
    assert again.resend_of == delivery and again.status == DeliveryStatus.SUCCEEDED and again.requested_by == hr_user


def test_the_sweep_queues_lost_messages_and_frees_deliveries_of_dead_workers(hr_user: User) -> None:
    hook = webhook_create(name="x", url="https://a.example.com/", events=[Event.CYCLE_CLOSED], user=hr_user)
    lost = webhook_test_send(webhook=hook, user=hr_user, enqueue=nothing)
    fresh = webhook_test_send(webhook=hook, user=hr_user, enqueue=nothing)
    dead = webhook_test_send(webhook=hook, user=hr_user, enqueue=nothing)
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=lost.pk).update(next_attempt_at=now - datetime.timedelta(minutes=5))
    WebhookDelivery.objects.filter(pk=dead.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_at=now - datetime.timedelta(hours=1)
    )

    due = deliveries_overdue(now=now + datetime.timedelta(seconds=30))

    assert lost.pk in due and fresh.pk not in due
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.RETRYING and dead.attempts == 1
