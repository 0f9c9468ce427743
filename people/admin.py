from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from people.models import Department, User


@admin.register(User)
class PersonAdmin(UserAdmin[User]):
    list_display = ("username", "display_name", "role", "department", "manager", "is_active")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Performance", {"fields": ("display_name", "role", "department", "manager", "language")}),
    )  # type: ignore[misc]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    search_fields = ("name",)
