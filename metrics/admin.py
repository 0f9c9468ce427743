from django.contrib import admin
from django.http import HttpRequest

from metrics.models import Cycle, CycleEvent, MetricEntry, Result, ResultLine


class CycleEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CycleEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "run", "reason", "forced", "user", "at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin[Cycle]):
    """Cycles close and reopen through their services only: here they are read."""

    list_display = ("period", "status", "run", "forced", "closed_at")
    list_filter = ("status",)
    inlines = (CycleEventInline,)
    readonly_fields = ("period", "status", "run", "forced", "requested_by", "closed_at")


@admin.register(MetricEntry)
class MetricEntryAdmin(admin.ModelAdmin[MetricEntry]):
    list_display = ("assignment", "period", "indicator", "value", "updated_at", "updated_by")
    list_filter = ("period",)
    search_fields = ("assignment__employee__username",)
    readonly_fields = ("assignment", "indicator", "period", "value", "inputs", "updated_at", "updated_by")


class ResultLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ResultLine
    extra = 0
    can_delete = False
    readonly_fields = (
        "indicator",
        "method",
        "actual",
        "target",
        "points",
        "capped",
        "floored",
        "stretched",
        "missing",
        "months",
    )
    exclude = ("position",)


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin[Result]):
    list_display = ("employee", "period", "score", "band", "payout", "bonus", "flags", "superseded_at")
    list_filter = ("period", "band")
    search_fields = ("employee__username", "employee__display_name")
    inlines = (ResultLineInline,)
    readonly_fields = (
        "cycle",
        "run",
        "period",
        "employee",
        "assignment",
        "version",
        "score",
        "band",
        "payout",
        "bonus",
        "flags",
        "superseded_at",
    )
