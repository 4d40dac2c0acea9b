"""Admin of ratings: read-only (ratings are written by the applicant through ratings.actions; a wrong one
is dealt with by appeal, never edited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ratings.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin[Rating]):
    list_display = ["application", "stage", "level", "channel", "centre", "clerk", "rated_at", "excluded_at"]
    list_filter = ["stage", "level", "channel"]
    search_fields = ["application__receipt_no", "centre__name", "item__name"]
    list_select_related = ["application", "centre", "clerk"]
    date_hierarchy = "rated_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
