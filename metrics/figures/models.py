"""Figures: the values managers enter, their audit trail, and upload previews."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.fields import PeriodField
from plans.models import Assignment, Indicator


class MetricEntry(models.Model):
    """One figure: an employee's actual value for an indicator in a period.

    A formula's inputs are kept alongside the value they compute to; ``value`` stays empty
    until every input is in.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="entries")
    period = PeriodField(_("period"))
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6, null=True, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)  # {"lost": "2", "total": "50"}
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator", "period"], name="unique_metric_entry")
        ]
        indexes = [models.Index(fields=["period", "assignment"])]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self) -> str:
        return f"{self.assignment.employee} {self.period} {self.indicator.code}"


class ChangeSource(models.TextChoices):
    GRID = "grid", _("Team grid")
    UPLOAD = "upload", _("Upload")
    IMPORT = "import", _("Import command")
    REVIEW = "review", _("Quarterly review")
    API = "api", _("API")


class MetricChange(models.Model):
    """The audit trail of figures: who changed which value, when, from what to what.

    Written by the one service every figure goes through, so the grid, uploads and the
    command are all covered; never edited afterwards.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="changes")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    period = PeriodField(_("period"))
    old_value = models.DecimalField(_("old value"), max_digits=24, decimal_places=6, null=True, blank=True)
    new_value = models.DecimalField(_("new value"), max_digits=24, decimal_places=6, null=True, blank=True)
    old_inputs = models.JSONField(_("old inputs"), default=dict, blank=True)
    new_inputs = models.JSONField(_("new inputs"), default=dict, blank=True)
    created = models.BooleanField(_("new"), default=False)  # there was no value before
    source = models.CharField(_("source"), max_length=16, choices=ChangeSource.choices)
    # Which integration wrote it, for the API's source (the token's name): "api:<name>" in words.
    client = models.CharField(_("client"), max_length=64, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["assignment", "period"])]
        verbose_name = _("figure change")
        verbose_name_plural = _("figure changes")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.period} {self.indicator_id} {self.old_value} → {self.new_value}"


class UploadPreview(models.Model):
    """A checked figures file waiting for its Apply, with what each cell it gives held then.

    Each preview has its own token, so that two tabs apply each its own file; its Apply is
    checked against ``expected`` as a stale grid is. A user keeps only their latest few.
    """

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    expected = models.JSONField(default=list)  # [[employee, period, column, text], ...]
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.name}"


class Reminder(models.Model):
    """A reminder email about a period's missing figures, about one manager's team: who sent it
    (nobody: the daily reminders or the schedule), when, to whom. The cycle page shows the
    latest beside the manager; never edited afterwards."""

    period = PeriodField(_("period"))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )  # whose team; None: the people without a manager (the schedule writes to HR about them)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.TextField(_("sent to"))  # the addresses, comma-separated
    missing = models.PositiveIntegerField(_("values missing"))

    class Meta:
        indexes = [models.Index(fields=["period", "manager", "sent_at"])]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.period} {self.manager_id} {self.sent_at:%Y-%m-%d %H:%M}"


class ReminderClaim(models.Model):
    """When a manager's team was last reminded of a period: the one row two reminders at once
    both update, so that only one email goes an hour (a conditional update, as a close claims
    its cycle)."""

    period = PeriodField(_("period"))
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "manager"], name="unique_reminder_claim")]

    def __str__(self) -> str:
        return f"{self.period} {self.manager_id} {self.at:%Y-%m-%d %H:%M}"
