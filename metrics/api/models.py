"""The open API's own tables: the integrations' tokens and the answers kept for idempotent retries."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import Department
from plans.models import PlanTemplate


class Scope(models.TextChoices):
    """What a token may do. A person's session reads with that person's own scope instead."""

    FIGURES_WRITE = "figures:write", _("Send figures")
    RESULTS_READ = "results:read", _("Read results and cycles")
    PEOPLE_WRITE = "people:write", _("Send roster rows")
    PEOPLE_READ = "people:read", _("Read people")
    CYCLES_WRITE = "cycles:write", _("Close cycles")


class ApiToken(models.Model):
    """An integration's key: only its SHA-256 is kept; the token itself is shown once, when made.

    With departments or plans, the token reaches only the people of those departments and on
    those plans (both, when both are set); without, everybody.
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    prefix = models.CharField(_("starts with"), max_length=16)  # its first characters, to tell tokens apart
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    departments = models.ManyToManyField(Department, verbose_name=_("departments"), blank=True, related_name="+")
    plans = models.ManyToManyField(PlanTemplate, verbose_name=_("plans"), blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name


class IdempotentRequest(models.Model):
    """A write sent with an ``Idempotency-Key``: what it was (the body's SHA-256) and what it answered,
    so that the same request again is answered the same and changes nothing twice."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)  # 0 while it is being answered
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="unique_api_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.token_id} {self.key}"
