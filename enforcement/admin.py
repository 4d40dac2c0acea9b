"""Read-only admin views of enforcement data. Every write goes through enforcement.actions (the matter
catalogue through the XLSX import, cases through the case pages and API), so nothing is editable here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.jurisdiction import scope_for
from enforcement.models import (
    Case,
    DiscretionBand,
    EnforcementMatter,
    OfficerPost,
    PatrolLog,
    RecordEntry,
    SquadArea,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BandInline(admin.TabularInline):
    model = DiscretionBand
    extra = 0
    can_delete = False
    fields = ("level", "circumstances", "fine_min", "fine_max", "other_measures")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EnforcementMatter)
class MatterAdmin(ReadOnly):
    list_display = ("code", "name", "sector", "hearing_possible", "summary_allowed", "active")
    list_filter = ("sector", "summary_allowed", "hearing_possible", "active")
    search_fields = ("code", "name")
    inlines = [BandInline]


@admin.register(SquadArea)
class SquadAreaAdmin(ReadOnly):
    list_display = ("zone", "squad")


@admin.register(OfficerPost)
class OfficerPostAdmin(ReadOnly):
    list_display = ("officer", "squad", "is_leader", "active", "started_at")
    list_filter = ("is_leader", "active")
    search_fields = ("officer__username", "officer__display_name", "squad__name")


class Scoped(ReadOnly):
    territory_field = "territory_code"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return scope_for(request.user, queryset, self.territory_field)


@admin.register(Case)
class CaseAdmin(Scoped):
    list_display = (
        "number",
        "procedure",
        "source",
        "matter",
        "party_name",
        "squad",
        "created_at",
        "closed_at",
    )
    list_filter = ("procedure", "source", "squad")
    search_fields = ("number", "decision_number", "party_name")
    list_select_related = ("matter", "squad")
    exclude = ("party_number_enc", "party_number_hash", "party_phone_enc")


@admin.register(RecordEntry)
class RecordEntryAdmin(Scoped):
    territory_field = "case__territory_code"
    list_display = ("case", "seq", "step", "kind", "title", "actor", "at", "content_hash")
    list_filter = ("kind",)
    list_select_related = ("case", "actor")


@admin.register(PatrolLog)
class PatrolLogAdmin(Scoped):
    list_display = ("officer", "squad", "kind", "started_at", "ended_at")
    list_filter = ("kind",)
