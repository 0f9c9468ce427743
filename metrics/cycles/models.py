"""A period's cycle: open, closing or closed, and what happened to it. A period with no row yet is open."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.fields import PeriodField


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


class Cycle(models.Model):
    """One period's assessment for everybody. A period with no row yet is open."""

    period = PeriodField(_("period"), unique=True)
    status = models.CharField(_("status"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    # Each close is a run; reopening starts the next one and leaves the old results superseded.
    run = models.PositiveIntegerField(_("run"), default=1)
    forced = models.BooleanField(_("forced"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["period"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")

    def __str__(self) -> str:
        return str(self.period)


class CycleAction(models.TextChoices):
    CLOSE_REQUESTED = "close_requested", _("Close requested")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class CycleEvent(models.Model):
    """The audit trail of a cycle: who asked for what, when, and why."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32, choices=CycleAction.choices)
    run = models.PositiveIntegerField(_("run"))
    reason = models.TextField(_("reason"), blank=True)
    forced = models.BooleanField(_("forced"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.cycle} {self.action} ({self.run})"
