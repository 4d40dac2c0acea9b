"""Read-only admin for the workflow ledger: states change only through the engine."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from workflow.models import ProcessVersion, Transition, WorkItem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProcessVersion)
class ProcessVersionAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "title", "published_at", "content_hash"]
    list_filter = ["name"]


TRANSITION_FIELDS = (
    "occurred_at",
    "action",
    "from_state",
    "to_state",
    "actor",
    "reason",
    "step_elapsed_seconds",
)


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    fields = TRANSITION_FIELDS
    readonly_fields = TRANSITION_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "title",
        "process_name",
        "state",
        "territory_code",
        "assigned_unit",
        "step_due_at",
        "closed_at",
    ]
    list_filter = ["process_name", "state"]
    search_fields = ["title", "subject_id", "territory_code"]
    list_select_related = ["assigned_unit"]
    inlines = [TransitionInline]


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ["id", "item", "action", "from_state", "to_state", "actor", "occurred_at"]
    list_filter = ["action"]
    list_select_related = ["item", "actor"]
