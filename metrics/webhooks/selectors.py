"""Reads of the webhooks' pages, as frozen view models: the hooks, one hook with its delivery log,
one delivery with its attempts."""

import json
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from metrics.webhooks.models import SUBSCRIBABLE, DeliveryAttempt, DeliveryStatus, Event, Webhook, WebhookDelivery
from metrics.webhooks.sending import CONNECTION, REDIRECT, TIMEOUT

DELIVERIES_PER_PAGE = 50


@dataclass(frozen=True)
class HookRow:
    pk: int
    name: str
    url: str
    events: list[str]  # labels
    active: bool
    last_status: str  # label of the latest delivery's status, "" when none
    last_ok: bool
    last_at: datetime | None
    deliveries: int


@dataclass(frozen=True)
class AttemptRow:
    number: int
    at: datetime
    status_code: int | None
    succeeded: bool
    problem: str  # why it failed, in words
    response: str
    duration_ms: int


@dataclass(frozen=True)
class DeliveryRow:
    pk: int
    event: str  # label
    event_id: str
    created_at: datetime
    status: str
    status_label: str
    attempts: int
    status_code: int | None
    response: str  # excerpt of the latest answer
    problem: str
    duration_ms: int | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    resend: bool  # a re-send by HR
    can_resend: bool


@dataclass(frozen=True)
class HookPage:
    pk: int
    name: str
    url: str
    events: list[str]  # labels
    active: bool
    secret: str
    created_by: str
    created_at: datetime
    deliveries: list[DeliveryRow]
    page: "Page[WebhookDelivery]"  # for the page links


@dataclass(frozen=True)
class DeliveryPage:
    delivery: DeliveryRow
    hook_pk: int
    hook_name: str
    payload: str  # the body, indented for reading
    attempts: list[AttemptRow]


def event_label(event: str) -> str:
    return str(Event(event).label) if event in Event.values else event


def _problem(*, status_code: int | None, failure: str) -> str:
    if failure == TIMEOUT:
        return _("No answer in time")
    if failure == REDIRECT:
        return _("Redirected elsewhere: redirects are not followed")
    if failure == CONNECTION:
        return _("Could not connect")
    if status_code is not None and not 200 <= status_code < 300:
        return _("The receiver answered with an error")
    return ""


def webhook_list() -> list[HookRow]:
    """Every hook, by name, with its latest delivery."""
    latest = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-pk")
    hooks = Webhook.objects.annotate(
        last_status=Subquery(latest.values("status")[:1]),
        last_at=Max("deliveries__created_at"),
        delivery_count=Count("deliveries"),
    ).order_by("name", "pk")
    statuses = dict(DeliveryStatus.choices)
    return [
        HookRow(
            pk=hook.pk,
            name=hook.name,
            url=hook.url,
            events=[event_label(e) for e in SUBSCRIBABLE if e in hook.events],
            active=hook.active,
            last_status=str(statuses.get(hook.last_status, "")),
            last_ok=hook.last_status == DeliveryStatus.SUCCEEDED,
            last_at=hook.last_at,
            deliveries=hook.delivery_count,
        )
        for hook in hooks
    ]


def _delivery_row(delivery: WebhookDelivery, latest: DeliveryAttempt | None) -> DeliveryRow:
    return DeliveryRow(
        pk=delivery.pk,
        event=event_label(delivery.event),
        event_id=str(delivery.event_id),
        created_at=delivery.created_at,
        status=delivery.status,
        status_label=str(DeliveryStatus(delivery.status).label),
        attempts=delivery.attempts,
        status_code=latest.status_code if latest else None,
        response=latest.response[:200] if latest else "",
        problem=_problem(status_code=latest.status_code, failure=latest.failure) if latest else "",
        duration_ms=latest.duration_ms if latest else None,
        next_attempt_at=delivery.next_attempt_at if delivery.status == DeliveryStatus.RETRYING else None,
        delivered_at=delivery.delivered_at,
        resend=delivery.resend_of_id is not None,
        can_resend=delivery.status not in (DeliveryStatus.PENDING, DeliveryStatus.SENDING),
    )


def _latest_attempts(ids: list[int]) -> dict[int, DeliveryAttempt]:
    latest: dict[int, DeliveryAttempt] = {}
    for attempt in DeliveryAttempt.objects.filter(delivery_id__in=ids).order_by("delivery_id", "number"):
        latest[attempt.delivery_id] = attempt
    return latest


def webhook_page(*, webhook: Webhook, page: str | None) -> HookPage:
    """A hook and its deliveries, newest first, a page of them."""
    deliveries = Paginator(
        WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-pk"), DELIVERIES_PER_PAGE
    ).get_page(page)
    rows = list(deliveries.object_list)
    latest = _latest_attempts([d.pk for d in rows])
    creator = webhook.created_by
    return HookPage(
        pk=webhook.pk,
        name=webhook.name,
        url=webhook.url,
        events=[event_label(e) for e in SUBSCRIBABLE if e in webhook.events],
        active=webhook.active,
        secret=webhook.secret,
        created_by=(creator.display_name or creator.username) if creator else "",
        created_at=webhook.created_at,
        deliveries=[_delivery_row(d, latest.get(d.pk)) for d in rows],
        page=deliveries,
    )


def delivery_page(*, delivery: WebhookDelivery) -> DeliveryPage:
    """One delivery: what was sent and each attempt's answer."""
    attempts = list(delivery.attempt_log.order_by("number"))
    try:
        payload = json.dumps(json.loads(delivery.body), ensure_ascii=False, indent=2)
    except ValueError:
        payload = delivery.body
    return DeliveryPage(
        delivery=_delivery_row(delivery, attempts[-1] if attempts else None),
        hook_pk=delivery.webhook_id,
        hook_name=delivery.webhook.name,
        payload=payload,
        attempts=[
            AttemptRow(
                number=a.number,
                at=a.at,
                status_code=a.status_code,
                succeeded=a.succeeded and not a.failure,
                problem=_problem(status_code=a.status_code, failure=a.failure),
                response=a.response,
                duration_ms=a.duration_ms,
            )
            for a in attempts
        ],
    )
