from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from plans import scoring

MONTH_MAX_LENGTH = 7  # "2026-01"


def version_label(name: str, number: int) -> str:
    """A plan version as people read it: 客户管理员绩效方案，版本 2 / Customer plan, version 2."""
    return gettext("%(name)s, version %(number)s") % {"name": name, "number": number}


class Method(models.TextChoices):
    PROPORTIONAL = scoring.Method.PROPORTIONAL, _("Proportional")
    PER_UNIT = scoring.Method.PER_UNIT, _("Per unit")
    TIERS = scoring.Method.TIERS, _("Tiers")
    RATING = scoring.Method.RATING, _("Rating")
    BINARY = scoring.Method.BINARY, _("Met or not")


class Frequency(models.TextChoices):
    MONTHLY = scoring.Frequency.MONTHLY, _("Monthly")
    QUARTERLY = scoring.Frequency.QUARTERLY, _("Quarterly")


class Direction(models.TextChoices):
    HIGHER = scoring.Direction.HIGHER, _("Higher is better")
    LOWER = scoring.Direction.LOWER, _("Lower is better")


def _decimal(verbose_name: StrOrPromise, **kwargs: Any) -> "models.DecimalField[Any, Any]":
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=6, **kwargs)


class PlanTemplate(models.Model):
    """What HR builds; its published versions are what people are assessed on."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # HR's own follow-up decisions for the people on this plan, beside the built-in ones
    # (metrics.followups): names, in HR's order. Kept with the template, not in the plan file.
    follow_up_decisions = models.JSONField(_("own follow-up decisions"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PlanVersion(models.Model):
    """One version of a plan. Published versions never change: results point at them."""

    template = models.ForeignKey(PlanTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    name = models.CharField(_("name"), max_length=200)
    streak_months = models.PositiveSmallIntegerField(_("streak months"), null=True, blank=True)
    streak_min_score = _decimal(_("streak minimum score"), null=True, blank=True)
    streak_flag = models.CharField(_("streak flag"), max_length=64, blank=True)
    # The plan file's "distribution": how the bands should be shared among the people closed in a
    # period, shown beside the results and never enforced: [{"band": "A", "max": "20"}, ...], numbers
    # as strings like the tiers.
    distribution = models.JSONField(_("distribution guideline"), default=list, blank=True)
    # The plan file's "calibration": closed results wait for HR's release before employees see them.
    calibration = models.BooleanField(_("calibration before release"), default=False)

    streak_flag_label = models.CharField(_("streak flag label"), max_length=32, blank=True)  # what people read
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="unique_plan_version_number")]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")

    def __str__(self) -> str:
        return version_label(self.name, self.number)


class Goal(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_goal_code")]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="indicators")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY)
    weight = _decimal(_("weight"))
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    target = _decimal(_("target"), null=True, blank=True)
    floor = _decimal(_("floor"), null=True, blank=True)
    cap = _decimal(_("cap"), null=True, blank=True)
    bonus_per_unit = _decimal(_("bonus per unit"), null=True, blank=True)
    penalty_per_unit = _decimal(_("penalty per unit"), null=True, blank=True)
    tiers = models.JSONField(_("tiers"), default=list, blank=True)  # [[threshold, points], ...] as strings
    scale = _decimal(_("scale"), null=True, blank=True)
    formula = models.CharField(_("formula"), max_length=500, blank=True)
    inputs = models.JSONField(_("inputs"), default=list, blank=True)  # the names, in order
    # The inputs with a label or a valid range: {name: {"label": ..., "min": "0", "max": ...}}, numbers as
    # strings like the tiers; an input without any is not in it.
    input_limits = models.JSONField(_("input labels and ranges"), default=dict, blank=True)
    minimum = _decimal(_("minimum"), null=True, blank=True)  # the valid range of the value entered
    maximum = _decimal(_("maximum"), null=True, blank=True)
    stretch_target = _decimal(_("stretch target"), null=True, blank=True)
    stretch_bonus = _decimal(_("stretch bonus"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_indicator_code")]

    def __str__(self) -> str:
        return self.name


class Band(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="bands")
    min = _decimal(_("minimum score"))
    label = models.CharField(_("label"), max_length=32)
    payout = _decimal(_("payout %"))
    flag = models.CharField(_("flag"), max_length=64, blank=True)
    flag_label = models.CharField(_("flag label"), max_length=32, blank=True)  # what people read: 预警

    class Meta:
        ordering = ["version", "-min"]

    def __str__(self) -> str:
        return self.label


class Assignment(models.Model):
    """An employee is assessed on a plan version from a first month on."""

    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="assignments")
    start = models.CharField(_("first month"), max_length=MONTH_MAX_LENGTH)
    monthly_bonus = models.DecimalField(_("monthly bonus"), max_digits=14, decimal_places=2, default=0)
    quarterly_bonus = models.DecimalField(_("quarterly bonus"), max_digits=14, decimal_places=2, default=0)
    annual_bonus = models.DecimalField(_("annual bonus"), max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["employee", "start"]
        constraints = [models.UniqueConstraint(fields=["employee", "start"], name="unique_assignment_start")]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.employee} → {self.version} ({self.start})"
