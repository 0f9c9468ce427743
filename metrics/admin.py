"""Figures, their changes, cycles and results in Django's admin: read, never written.

Each of them changes only through its service, which writes the audit trail (a figure's
change, a cycle's event, a superseded result); an edit or delete here would leave none. With
these admins read-only, Django also refuses to delete a person or an assignment whose deletion
would take figures or their changes with it (it asks for delete permission on every row a
delete cascades to).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from metrics.cycles.models import Cycle, CycleEvent
from metrics.figures.models import MetricChange, MetricEntry
from metrics.results.models import Result, ResultLine


class ReadOnly:
    """Viewable with the view permission; no add, change or delete, for anybody."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CycleEventInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = CycleEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "run", "reason", "forced", "user", "at")


@admin.register(Cycle)
class CycleAdmin(ReadOnly, admin.ModelAdmin[Cycle]):
    """Cycles close and reopen through their services only: here they are read."""

    list_display = ("period", "status", "run", "closed_at")
    list_filter = ("status",)
    inlines = (CycleEventInline,)
    readonly_fields = ("period", "status", "run", "closed_at")


@admin.register(MetricEntry)
class MetricEntryAdmin(ReadOnly, admin.ModelAdmin[MetricEntry]):
    """Figures change through the grid, the upload and the import, which write their changes."""

    list_display = ("assignment", "period", "indicator", "value", "updated_at", "updated_by")
    list_filter = ("period",)
    search_fields = ("assignment__employee__username",)
    readonly_fields = ("assignment", "indicator", "period", "value", "inputs", "updated_at", "updated_by")


@admin.register(MetricChange)
class MetricChangeAdmin(ReadOnly, admin.ModelAdmin[MetricChange]):
    """The figures' audit trail."""

    list_display = ("assignment", "period", "indicator", "old_value", "new_value", "source", "user", "at")
    list_filter = ("period", "source")
    search_fields = ("assignment__employee__username",)
    list_select_related = ("assignment__employee", "assignment__version__template", "indicator", "user")


class ResultLineInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
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
class ResultAdmin(ReadOnly, admin.ModelAdmin[Result]):
    """Results are written by a close and superseded by a reopen."""

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
