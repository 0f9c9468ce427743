"""Through a real Celery worker (the session's, in a thread): a delivery answered with a 500 is
retried by a later message after its delay, then delivered."""

import time

import pytest
from celery.worker.worker import WorkController
from pytest_django import Settings

from metrics.webhooks.models import DeliveryStatus, WebhookDelivery
from metrics.webhooks.services import webhook_test_send
from metrics.webhooks.tasks import delivery_enqueue
from people.models import Role, User
from tests.metrics.webhooks.conftest import Answer, Receiver, hook_for


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_a_500_after_its_delay_then_delivers(
    receiver: Receiver, celery_worker: WorkController, settings: Settings
) -> None:
    settings.WEBHOOK_RETRY_SECONDS = 1
    hr = User.objects.create_user(username="hr", role=Role.HR)
    hook = hook_for(receiver, hr)
    receiver.answer(Answer(500, b"try later"))

    started = time.monotonic()
    delivery = webhook_test_send(webhook=hook, user=hr, enqueue=delivery_enqueue)
    first, second = receiver.wait_for(2, timeout=30)
    waited = time.monotonic() - started

    assert first.body == second.body and second.signed_by(hook.secret)
    assert waited >= 1  # the second attempt waited for its delay
    deadline = time.monotonic() + 10
    while WebhookDelivery.objects.get(pk=delivery.pk).status != DeliveryStatus.SUCCEEDED:
        assert time.monotonic() < deadline, "the delivery was not marked delivered"
        time.sleep(0.1)
    codes = list(WebhookDelivery.objects.get(pk=delivery.pk).attempt_log.values_list("number", "status_code"))
    assert codes == [(1, 500), (2, 200)]
