from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 200  # a person's or a department's name (SPEC.md section 7: names 1-200 characters)


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    MANAGER = "manager", _("Manager")
    HR = "hr", _("HR")
    ADMIN = "admin", _("Administrator")


class Department(models.Model):
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person: the user name is the employee id used in every file."""

    display_name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        ordering = ["username"]
        # The results page sorted by name: a page of 50 read in this order, not 100,000 sorted (bench_load).
        indexes = [models.Index(fields=["display_name"], name="user_display_name")]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.username})" if self.display_name else self.username


# The logins' models, for Django (the code imports them from people.logins.models).
from people.logins.models import AccessEvent, AccessKind  # noqa: E402

__all__ = ["NAME_MAX_LENGTH", "AccessEvent", "AccessKind", "Department", "Role", "User"]
