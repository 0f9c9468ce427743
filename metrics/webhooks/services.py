"""Writes of the webhooks: HR registers, changes and deletes hooks; events become deliveries (one
per subscribed hook, enqueued after the commit); a worker sends a delivery, once, and logs each
attempt; HR re-sends a delivery or sends a test event.

A delivery is claimed by a conditional update (pending or retrying, due -> sending, one more
attempt): of two workers holding the same message only one sends, and one that finds it done
sends nothing. A failed attempt (no answer in time, a redirect, a status outside 2xx) is retried
after ``WEBHOOK_RETRY_SECONDS`` doubled at each attempt, up to ``WEBHOOK_MAX_ATTEMPTS``.
"""

import ipaddress
import json
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.webhooks.models import (
    EXCERPT_MAX_LENGTH,
    SUBSCRIBABLE,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    Webhook,
    WebhookDelivery,
)
from metrics.webhooks.sending import signed_post
from people.models import User
from plans.errors import ApplicationError

Enqueue = Callable[[int], None]  # a delivery's id -> its task queued
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
# A worker that claimed a delivery and said nothing for this long (on top of the timeout) died.
STALE_CLAIM = timedelta(minutes=5)


class WebhookRefused(ApplicationError):
    """A hook, a re-send or a test that cannot be done, with the reason to show."""


def secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_check(url: str) -> str:
    """The hook's address, or a refusal: ``https://`` only, plain ``http://`` only to this
    machine and only where ``WEBHOOK_ALLOW_LOOPBACK`` is on (debugging, the tests)."""
    url = url.strip()
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise WebhookRefused(_("Enter a whole web address, starting with https://."))
    if parts.username or parts.password:
        raise WebhookRefused(_("Leave the user name and password out of the address: the signature proves the sender."))
    if parts.scheme == "http" and not (settings.WEBHOOK_ALLOW_LOOPBACK and _loopback(host)):
        raise WebhookRefused(
            _("The address must start with https://: the events carry people's data and must travel encrypted.")
        )
    return url


def _events_check(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    if not chosen:
        raise WebhookRefused(_("Choose at least one event."))
    if unknown := [e for e in chosen if e not in SUBSCRIBABLE]:
        raise WebhookRefused(_("Unknown event: %(events)s.") % {"events": ", ".join(unknown)})
    return chosen


def _name_check(name: str) -> str:
    name = name.strip()
    if not name:
        raise WebhookRefused(_("Give the hook a name, so that HR knows what it is for."))
    return name


@transaction.atomic
def webhook_create(*, name: str, url: str, events: Iterable[str], user: User) -> Webhook:
    """Register a hook with a new secret (shown to HR, to give the receiver)."""
    return Webhook.objects.create(
        name=_name_check(name), url=url_check(url), events=_events_check(events), secret=secret_new(), created_by=user
    )


@transaction.atomic
def webhook_update(*, webhook: Webhook, name: str, url: str, events: Iterable[str], active: bool) -> Webhook:
    """Change a hook; its secret stays. A disabled hook receives nothing (its log stays)."""
    webhook.name, webhook.url, webhook.events = _name_check(name), url_check(url), _events_check(events)
    webhook.active = active
    webhook.save(update_fields=["name", "url", "events", "active", "updated_at"])
    return webhook


@transaction.atomic
def webhook_secret_rotate(*, webhook: Webhook) -> Webhook:
    """A new secret: every attempt from now on, retries included, is signed with it."""
    webhook.secret = secret_new()
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook) -> None:
    """Delete a hook and its log; a delivery being sent finds nothing to record and stops."""
    webhook.delete()


def _body(*, event: str, event_id: uuid.UUID, at: datetime, data: dict[str, Any]) -> str:
    envelope = {"id": str(event_id), "type": event, "time": at.isoformat(), "data": data}
    return json.dumps(envelope, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def _enqueue_after_commit(deliveries: list[WebhookDelivery], enqueue: Enqueue) -> None:
    ids = [d.pk for d in deliveries]

    def send() -> None:
        for delivery_id in ids:
            enqueue(delivery_id)

    transaction.on_commit(send)


def subscribers(event: str) -> list[Webhook]:
    """The active hooks subscribed to ``event`` (few: HR registers them by hand)."""
    return [hook for hook in Webhook.objects.filter(active=True) if event in hook.events]


def event_publish(
    *, event: str, data: dict[str, Any], enqueue: Enqueue, webhooks: list[Webhook] | None = None
) -> list[WebhookDelivery]:
    """One event for every active hook subscribed to it (or ``webhooks``): a delivery each, with
    the same event id and body, saved in the caller's transaction and queued once it commits."""
    hooks = subscribers(event) if webhooks is None else webhooks
    if not hooks:
        return []
    event_id, now = uuid.uuid4(), timezone.now()
    body = _body(event=event, event_id=event_id, at=now, data=data)
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(webhook=hook, event_id=event_id, event=event, body=body, next_attempt_at=now)
            for hook in hooks
        ]
    )
    if deliveries and deliveries[0].pk is None:  # databases that do not return ids
        deliveries = list(WebhookDelivery.objects.filter(event_id=event_id))
    _enqueue_after_commit(deliveries, enqueue)
    return deliveries


@transaction.atomic
def webhook_test_send(*, webhook: Webhook, user: User, enqueue: Enqueue) -> WebhookDelivery:
    """A test event to one hook, enabled or not, to check the receiver and its signature check."""
    data = {
        "message": "This is a test event from 绩效方案管理.",
        "webhook": webhook.name,
        "requested_by": user.username,
    }
    (delivery,) = event_publish(event=Event.TEST, data=data, enqueue=enqueue, webhooks=[webhook])
    WebhookDelivery.objects.filter(pk=delivery.pk).update(requested_by=user)
    return delivery


@transaction.atomic
def delivery_resend(*, delivery: WebhookDelivery, user: User, enqueue: Enqueue) -> WebhookDelivery:
    """Send a delivery's event again, as it was (same event id and body), as a new delivery with
    its own attempts. Refused while the delivery is still on its way."""
    if delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
        raise WebhookRefused(_("This delivery is still on its way: wait for its answer before sending it again."))
    again = WebhookDelivery.objects.create(
        webhook=delivery.webhook,
        event_id=delivery.event_id,
        event=delivery.event,
        body=delivery.body,
        next_attempt_at=timezone.now(),
        resend_of=delivery.resend_of or delivery,
        requested_by=user,
    )
    _enqueue_after_commit([again], enqueue)
    return again


def retry_delay(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failed attempt a delivery is tried again: doubling from
    ``WEBHOOK_RETRY_SECONDS`` (1 min, 2, 4, 8…), at most a day."""
    seconds = settings.WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 24 * 60 * 60))


@dataclass(frozen=True)
class AttemptOutcome:
    sent: bool  # False: the delivery was not this call's to send (done, claimed, not due, gone)
    status: str = ""
    retry_in: float | None = None  # seconds until the next attempt, when there is one


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> AttemptOutcome:
    """Claim a due delivery, send it, log the attempt and decide what follows: delivered, another
    attempt later, or failed for good after ``WEBHOOK_MAX_ATTEMPTS``."""
    now = now or timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = (
        WebhookDelivery.objects.filter(
            due, pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
        )
        .order_by()
        .update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )
    if claimed != 1:
        return AttemptOutcome(sent=False)
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    hook = delivery.webhook
    answer = signed_post(
        url=hook.url,
        body=delivery.body,
        secret=hook.secret,
        event=delivery.event,
        event_id=str(delivery.event_id),
        delivery_id=delivery.pk,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
    )
    finished = timezone.now()
    retry_in: float | None = None
    if answer.succeeded:
        status, next_at, delivered = DeliveryStatus.SUCCEEDED, None, finished
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        status, next_at, delivered = DeliveryStatus.FAILED, None, None
    else:
        delay = retry_delay(delivery.attempts)
        status, next_at, delivered, retry_in = DeliveryStatus.RETRYING, finished + delay, None, delay.total_seconds()
    with transaction.atomic():
        # The hook may have been deleted meanwhile: then there is nothing left to log.
        if not WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=status, next_attempt_at=next_at, delivered_at=delivered, claimed_at=None
        ):
            return AttemptOutcome(sent=True)
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            at=now,
            status_code=answer.status_code,
            response=answer.body[:EXCERPT_MAX_LENGTH],
            failure=answer.failure,
            detail=answer.detail,
            duration_ms=answer.duration_ms,
        )
    return AttemptOutcome(sent=True, status=status, retry_in=retry_in)


def deliveries_overdue(*, now: datetime | None = None) -> list[int]:
    """The deliveries whose message was lost, for the sweep to queue again: due for more than a
    minute and not claimed, or claimed by a worker that died while sending (its attempt counts)."""
    now = now or timezone.now()
    stale = now - STALE_CLAIM - timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS)
    dead = WebhookDelivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    dead.filter(attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, claimed_at=None
    )
    dead.update(status=DeliveryStatus.RETRYING, next_attempt_at=now, claimed_at=None)
    late = now - timedelta(minutes=1)
    return list(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lte=late
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
