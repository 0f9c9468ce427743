"""The quarterly review: one per employee and quarter, its colleague feedback and its audit trail.

The manager's quarterly ratings are not kept here: they are figures (``MetricEntry``), written
through the metrics import so that the quarter's close scores them and one validation applies.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.fields import PeriodField
from plans.models import Indicator


class ReviewStatus(models.TextChoices):
    """Each status is the last step done; the step it waits for follows from it.

    draft → self_assessment → manager_review → hr_approval → acknowledged, or appealed → resolved.
    """

    DRAFT = "draft", _("Opened")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment submitted")
    MANAGER_REVIEW = "manager_review", _("Manager’s review submitted")
    HR_APPROVAL = "hr_approval", _("Approved by HR")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    APPEALED = "appealed", _("Appealed")
    RESOLVED = "resolved", _("Appeal resolved")


class Review(models.Model):
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="reviews"
    )
    period = PeriodField(_("quarter"))
    status = models.CharField(_("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    manager_comment = models.TextField(_("manager’s comment"), blank=True)
    appeal_reason = models.TextField(_("appeal reason"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-period", "employee"]
        constraints = [models.UniqueConstraint(fields=["employee", "period"], name="unique_review_per_quarter")]
        indexes = [models.Index(fields=["period", "status"])]
        verbose_name = _("quarterly review")
        verbose_name_plural = _("quarterly reviews")

    def __str__(self) -> str:
        return f"{self.employee} {self.period}"


class ReviewFeedbackRequest(models.Model):
    """A colleague's rating of one quarterly indicator, asked for by the manager before rating it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="feedback_requests")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    colleague = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleague"),
        on_delete=models.PROTECT,
        related_name="review_feedback_requests",
    )
    rating = models.DecimalField(_("rating"), max_digits=12, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(_("asked"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "indicator", "colleague"], name="unique_review_feedback_colleague"
            )
        ]
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")

    def __str__(self) -> str:
        return f"{self.review} {self.indicator.code} ← {self.colleague}"


class ReviewAction(models.TextChoices):
    OPENED = "opened", _("Opened")
    SELF_ASSESSMENT_SUBMITTED = "self_assessment_submitted", _("Self-assessment submitted")
    FEEDBACK_REQUESTED = "feedback_requested", _("Colleague feedback requested")
    FEEDBACK_ANSWERED = "feedback_answered", _("Colleague feedback given")
    RATINGS_SAVED = "ratings_saved", _("Manager’s ratings saved")
    MANAGER_REVIEW_SUBMITTED = "manager_review_submitted", _("Manager’s review submitted")
    APPROVED = "approved", _("Approved by HR")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    APPEALED = "appealed", _("Appealed")
    RESCORED = "rescored", _("Appeal resolved: re-scored")
    UPHELD = "upheld", _("Appeal resolved: rating upheld")


class ReviewEvent(models.Model):
    """The audit trail of a review: every step, who took it and when, with its note."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32, choices=ReviewAction.choices)
    status = models.CharField(_("status after"), max_length=16, choices=ReviewStatus.choices)
    note = models.TextField(_("note"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")

    def __str__(self) -> str:
        return f"{self.review} {self.action}"
