from django.contrib import admin
from django.http import HttpRequest

from reviews.models import Review, ReviewEvent, ReviewFeedbackRequest


class ReviewEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "status", "note", "user", "at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReviewFeedbackRequestInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ReviewFeedbackRequest
    extra = 0
    can_delete = False
    readonly_fields = ("indicator", "colleague", "rating", "comment", "asked_by", "asked_at", "answered_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin[Review]):
    """Reviews move through their services only (each step audited): here they are read."""

    list_display = ("employee", "period", "status", "updated_at")
    list_filter = ("period", "status")
    search_fields = ("employee__username", "employee__display_name")
    inlines = (ReviewFeedbackRequestInline, ReviewEventInline)
    readonly_fields = (
        "employee",
        "period",
        "status",
        "self_assessment",
        "manager_comment",
        "appeal_reason",
        "resolution",
        "opened_by",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
