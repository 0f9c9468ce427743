"""Webhooks: the URLs HR registers for events, and each delivery of an event to one of them with
its attempts (the log a hook's page shows)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

URL_MAX_LENGTH = 500
EXCERPT_MAX_LENGTH = 2000  # characters of a response's body kept in the log


class Event(models.TextChoices):
    CYCLE_CLOSED = "cycle.closed", _("A period is closed (in whole or in part)")
    CYCLE_REOPENED = "cycle.reopened", _("A period is reopened")
    FIGURES_MISSING = "figures.missing", _("Figures are missing near or after their deadline")
    TEST = "webhook.test", _("Test event")


# What HR may subscribe to: the test event goes to one hook, on demand.
SUBSCRIBABLE = [Event.CYCLE_CLOSED, Event.CYCLE_REOPENED, Event.FIGURES_MISSING]


class Webhook(models.Model):
    """A URL that receives the events it is subscribed to, each body signed with its secret."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=URL_MAX_LENGTH)
    events = models.JSONField(_("events"), default=list)  # Event values
    secret = models.CharField(max_length=100)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Failed, will be retried")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed, no more retries")


class WebhookDelivery(models.Model):
    """One event to one hook: its body, fixed when the event happens, and where its sending is.

    Unique per (hook, event) except for HR's re-sends (``resend_of``), so an event reaches a hook
    once however often its signal or task runs. A worker claims a delivery by a conditional
    update of its status (pending or retrying, and due -> sending): a redelivered task finds it
    claimed or done and sends nothing.
    """

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4)
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    body = models.TextField()  # the JSON sent, exactly as signed
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends", verbose_name=_("re-send of")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_id"],
                condition=models.Q(resend_of__isnull=True),
                name="one_delivery_per_event_and_webhook",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} -> {self.webhook_id}"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery: what came back (status, an excerpt of the body) or why none did."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)  # at most EXCERPT_MAX_LENGTH characters
    failure = models.CharField(_("failure"), max_length=16, blank=True)  # sending.TIMEOUT, REDIRECT, CONNECTION
    detail = models.CharField(_("detail"), max_length=500, blank=True)  # the technical reason
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
