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
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["period"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")

    def __str__(self) -> str:
        return str(self.period)


class PartStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


class CyclePart(models.Model):
    """One close of a period: everybody still open, or those of some departments, plans, or with
    every figure in (SPEC.md section 8).

    A period's closes follow each other within a run: one is requested (or under way) at a time,
    and each scores only the people no earlier close of the run scored. ``employee_ids`` is who
    a selective close covers, fixed when it is requested; a close of everybody leaves it empty
    and covers whoever is still open when a worker claims it.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="parts")
    run = models.PositiveIntegerField()
    number = models.PositiveIntegerField()  # 1, 2, ... within the run
    departments = models.JSONField(default=list, blank=True)  # names
    plans = models.JSONField(default=list, blank=True)  # plan codes
    complete = models.BooleanField(default=False)  # only those whose figures are all in
    forced = models.BooleanField(default=False)
    employee_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=PartStatus.choices, default=PartStatus.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The API token that asked for it, by name (kept when the token is deleted); "" for a person or the schedule.
    requested_via = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "run", "number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "run", "number"], name="unique_cycle_part")]

    def __str__(self) -> str:
        return f"{self.cycle} run {self.run} close {self.number}"

    @property
    def everyone(self) -> bool:
        """A close of everybody still open, rather than of a selection."""
        return not (self.departments or self.plans or self.complete)


class CycleAction(models.TextChoices):
    CLOSE_REQUESTED = "close_requested", _("Close requested")
    PART_CLOSED = "part_closed", _("Closed in part")
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
    via = models.CharField(_("API token"), max_length=64, blank=True)  # the token that asked, by name
    # The close the event is about, when it closed part of the period (or asked to).
    part = models.ForeignKey(CyclePart, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.cycle} {self.action} ({self.run})"
