"""The models of logins, the access audit and the invitations HR sent; ``people.models`` re-exports them for Django (their app is ``people``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER_AGENT_MAX_LENGTH = 500
DETAIL_MAX_LENGTH = 500


class AccessKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOCKOUT = "lockout", _("Locked out")
    LOCKOUT_LIFTED = "lockout_lifted", _("Lockout lifted")
    LOGOUT = "logout", _("Signed out")
    INVITATION = "invitation", _("Invitation sent")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    SSO_REFUSED = "sso_refused", _("Single sign-on refused")


class AccessEvent(models.Model):
    """One access to the product, kept for good: written only by ``people.logins.audit.access_record``."""

    kind = models.CharField(_("what"), max_length=32, choices=AccessKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_events",
    )
    # As typed on the login page: a failed sign-in may name nobody who exists.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_MAX_LENGTH, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    detail = models.CharField(_("detail"), max_length=DETAIL_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="access_event_newest"),
            models.Index(fields=["user", "-at"], name="access_event_user_newest"),
        ]
        verbose_name = _("access event")
        verbose_name_plural = _("access events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"


class Invitation(models.Model):
    """One invitation email to set a password: who was invited, by whom, when (each resend is a row)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="invitations"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"))
    # Set once the email has gone (by the task, after the commit): until then it is on its way.
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["user", "-sent_at"], name="invitation_user_latest")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.user} {self.sent_at:%Y-%m-%d %H:%M}"
