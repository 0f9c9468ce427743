"""HR's follow-up decisions: one row a decision; a change is a new row, the one before kept as superseded."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.fields import PeriodField

NAME_MAX_LENGTH = 100  # a plan's own decision name
NOTE_MAX_LENGTH = 2000


class Decision(models.TextChoices):
    """The seed plan's 激励措施 (promotion, training, honour; bonus deduction, warning), no action, or
    one of the names HR keeps for a plan (``PLAN``, with the name beside it)."""

    PROMOTION = "promotion", _("Promotion")
    TRAINING = "training", _("Training")
    HONOUR = "honour", _("Honour")
    BONUS_DEDUCTION = "bonus_deduction", _("Bonus deduction")
    FORMAL_WARNING = "formal_warning", _("Formal warning")
    NO_ACTION = "no_action", _("No action")
    PLAN = "plan", _("The plan’s own decision")


class FollowUpDecision(models.Model):
    """What HR decided for an employee flagged in a period, with a note the employee reads.

    At most one row of an employee and period is current (``superseded_at`` empty): recording
    another decision supersedes it, so the history is every row. A formal warning is acknowledged
    by the employee (``acknowledged_at``), each warning row on its own.
    """

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="follow_up_decisions",
    )
    period = PeriodField(_("period"))
    decision = models.CharField(_("decision"), max_length=24, choices=Decision.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, blank=True)  # a plan's own decision
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"))
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_follow_up_decision",
            )
        ]
        indexes = [models.Index(fields=["period", "employee"])]
        verbose_name = _("follow-up decision")
        verbose_name_plural = _("follow-up decisions")

    def __str__(self) -> str:
        return f"{self.employee} {self.period} {self.decision}"
