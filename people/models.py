from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.names import NAME_SORT_MAX_LENGTH, name_sort_key

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
    # What the site speaks to this person, on its pages after they sign in and in their emails;
    # blank: the site's language (LANGUAGE_CODE).
    language = models.CharField(_("language"), max_length=16, choices=settings.LANGUAGES, blank=True)
    # The order of names a Chinese reader expects, by pinyin (people/names.py): every list of people
    # is ordered by it, then by user name. Kept by save() and by the bulk writes of the roster import.
    name_sort = models.CharField(_("sort key"), max_length=NAME_SORT_MAX_LENGTH, editable=False, default="")

    class Meta:
        ordering = ["username"]
        indexes = [
            # The results page sorted by name: a page of 50 read in this order, not 100,000 sorted (bench_load).
            models.Index(fields=["display_name"], name="user_display_name"),
            models.Index(fields=["name_sort", "username"], name="user_name_sort"),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.username})" if self.display_name else self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_sort = name_sort_key(self.display_name, self.username)
        fields = kwargs.get("update_fields")
        if fields is not None and {"display_name", "username"} & set(fields):
            kwargs["update_fields"] = {*fields, "name_sort"}
        super().save(*args, **kwargs)


# The logins' room keeps its own models (people/logins/models.py); Django finds them here.
from people.logins.models import AccessEvent, AccessKind, Invitation  # noqa: E402

__all__ = ["NAME_MAX_LENGTH", "AccessEvent", "AccessKind", "Department", "Invitation", "Role", "User"]
