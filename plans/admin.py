from django.contrib import admin
from django.http import HttpRequest

from plans.models import Assignment, Band, Goal, Indicator, PlanTemplate, PlanVersion


class _ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class GoalInline(_ReadOnlyInline):
    model = Goal


class IndicatorInline(_ReadOnlyInline):
    model = Indicator
    fields = ("code", "name", "frequency", "weight", "direction", "method", "target", "cap", "formula")


class BandInline(_ReadOnlyInline):
    model = Band


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin[PlanTemplate]):
    list_display = ("code", "name", "created_at")
    search_fields = ("code", "name")


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin[PlanVersion]):
    """Versions are published by `load_plan` and the plan pages; here they are only read."""

    list_display = ("template", "number", "status", "published_at")
    list_filter = ("status", "template")
    inlines = (GoalInline, IndicatorInline, BandInline)

    def has_change_permission(self, request: HttpRequest, obj: PlanVersion | None = None) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin[Assignment]):
    list_display = ("employee", "version", "start", "monthly_bonus", "quarterly_bonus")
    list_filter = ("version__template", "start")
    search_fields = ("employee__username", "employee__display_name")
    raw_id_fields = ("employee",)
