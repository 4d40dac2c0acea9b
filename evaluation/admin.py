"""Admin for the configurable parts (rules, rotation policy); computed data is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from evaluation.models import (
    CaseAssessment,
    PeriodComputation,
    PointEntry,
    PointRule,
    RotationFlag,
    RotationPolicy,
)


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin[PointRule]):
    list_display = ["code", "description", "basis", "points", "active"]
    list_editable = ["points", "active"]
    readonly_fields = ["code", "basis"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the computation knows the codes it scores; new ones would score nothing

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RotationPolicy)
class RotationPolicyAdmin(admin.ModelAdmin[RotationPolicy]):
    list_display = ["threshold", "consecutive_periods", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RotationPolicy.objects.exists()


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PointEntry)
class PointEntryAdmin(ReadOnly):
    list_display = ["period", "officer", "rule", "points", "reason", "at"]
    list_filter = ["period", "rule"]
    list_select_related = ["officer", "rule"]


@admin.register(RotationFlag)
class RotationFlagAdmin(ReadOnly):
    list_display = ["period", "officer", "squad", "threshold", "flagged_at"]
    list_select_related = ["officer", "squad"]


@admin.register(PeriodComputation)
class PeriodComputationAdmin(ReadOnly):
    list_display = ["period", "computed_at", "computed_by", "entries"]


@admin.register(CaseAssessment)
class CaseAssessmentAdmin(ReadOnly):
    list_display = ["case", "rule", "officer", "recorded_by", "recorded_at"]
    list_select_related = ["case", "rule", "officer", "recorded_by"]
