"""Shapes of the grid API (input validation of types only; rules live in actions)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from grid.models import (
    CategoryKind,
    CategoryStandard,
    CategoryStandardVersion,
    PatrolFrequency,
    PatrolItem,
    RoutingLevel,
)
from grid.standards.routing import RoutingResult

# ---- categories and the standard -------------------------------------------------------------------


class StandardRowOut(serializers.ModelSerializer[CategoryStandard]):
    limits = serializers.SerializerMethodField()

    class Meta:
        model = CategoryStandard
        fields = [
            "id",
            "sequence",
            "filing_condition",
            "limits",
            "unit",
            "closing_condition",
            "responsible_unit",
            "urgent",
        ]

    def get_limits(self, row: CategoryStandard) -> dict[str, int]:
        return {"A": row.limit_a, "B": row.limit_b, "C": row.limit_c}


class MinorClassOut(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    name = serializers.CharField()
    standards = StandardRowOut(many=True)


class MajorClassOut(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=CategoryKind.choices)
    code = serializers.CharField()
    name = serializers.CharField()
    minors = MinorClassOut(many=True)


class StandardVersionOut(serializers.ModelSerializer[CategoryStandardVersion]):
    state = serializers.SerializerMethodField()
    row_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CategoryStandardVersion
        fields = ["number", "published_at", "note", "active", "state", "source", "row_count"]

    def get_state(self, version: CategoryStandardVersion) -> str:
        if version.active:
            return "current"
        return "draft" if version.is_draft else "superseded"


class CategoryTreeOut(serializers.Serializer[dict[str, Any]]):
    version = StandardVersionOut()
    majors = MajorClassOut(many=True)


# ---- routing -----------------------------------------------------------------------------------------


class OrgUnitRefOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class RoutingResultOut(serializers.Serializer[RoutingResult]):
    grid_code = serializers.CharField()
    kind = serializers.ChoiceField(choices=CategoryKind.choices)
    category_code = serializers.CharField()
    routed = serializers.BooleanField()
    org_unit = OrgUnitRefOut(allow_null=True)
    level = serializers.ChoiceField(choices=RoutingLevel.choices)
    basis = serializers.CharField(allow_null=True)
    reason_text = serializers.CharField()
    trail = serializers.ListField(child=serializers.DictField())


class RoutingPreviewQuery(serializers.Serializer[dict[str, Any]]):
    category = serializers.RegexField(r"^\d{2}(\d{2})?$", help_text="小类代码（4位）或大类代码（2位）")
    grid = serializers.RegexField(r"^\d{15}$", help_text="15位网格编码")
    kind = serializers.ChoiceField(choices=CategoryKind.choices, default=CategoryKind.EVENT)


# ---- the grid's three lists ----------------------------------------------------------------------------


class PersonOut(serializers.Serializer[Any]):
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")
    org_unit = serializers.CharField(source="org_unit.name")


class BasicInfoOut(serializers.Serializer[Any]):
    households = serializers.IntegerField()
    residents = serializers.IntegerField()
    places = serializers.IntegerField()
    key_places = serializers.IntegerField()
    enterprises = serializers.IntegerField()
    estates = serializers.CharField()
    note = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)
    grid_heads = PersonOut(many=True)
    grid_workers = PersonOut(many=True)


class CategoryRefOut(serializers.Serializer[Any]):
    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()


class PatrolItemOut(serializers.ModelSerializer[PatrolItem]):
    category = CategoryRefOut(allow_null=True)

    class Meta:
        model = PatrolItem
        fields = [
            "id",
            "name",
            "category",
            "frequency",
            "checkpoint",
            "lon",
            "lat",
            "active",
            "key_place",
            "due_on",
            "created_at",
        ]


class ResponsibilityExceptionOut(serializers.Serializer[Any]):
    category = CategoryRefOut()
    result = RoutingResultOut()


class ResponsibilityOut(serializers.Serializer[Any]):
    category = CategoryRefOut()
    kind = serializers.CharField()
    result = RoutingResultOut()
    exceptions = ResponsibilityExceptionOut(many=True)


class GridRefOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    area_class = serializers.CharField()
    village = serializers.CharField(source="village.name")


class RegistryFiguresOut(serializers.Serializer[Any]):
    """Counted from the registries (基础信息库), not filed by hand."""

    households = serializers.IntegerField()
    residents = serializers.IntegerField()
    migrants = serializers.IntegerField()
    left_behind = serializers.IntegerField()
    foreign = serializers.IntegerField()
    buildings = serializers.IntegerField()
    rented_houses = serializers.IntegerField()
    enterprises = serializers.IntegerField()
    places = serializers.IntegerField()
    key_places = serializers.IntegerField()


class GridListsOut(serializers.Serializer[Any]):
    grid = GridRefOut()
    basic_info = BasicInfoOut()
    registry = RegistryFiguresOut()
    patrol_items = PatrolItemOut(many=True)
    responsibilities = ResponsibilityOut(many=True)
    may_edit = serializers.BooleanField()


class PatrolItemIn(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=100)
    frequency = serializers.ChoiceField(choices=PatrolFrequency.choices)
    category = serializers.RegexField(r"^\d{2}(\d{2})?$", required=False, allow_blank=True)
    category_kind = serializers.ChoiceField(choices=CategoryKind.choices, default=CategoryKind.EVENT)
    checkpoint = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, default=None)


class BasicInfoIn(serializers.Serializer[dict[str, Any]]):
    households = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    residents = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    places = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    key_places = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    enterprises = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    estates = serializers.CharField(max_length=300, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
