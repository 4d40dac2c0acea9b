"""JSON API of the territory, under /api/v1/territory/. Every endpoint needs an authenticated user and
answers only inside the caller's jurisdiction (outside → 404, never 403). Errors use the platform
envelope {"errors": [{"code", "message", "field"}]}.

- GET divisions/ → {"roots": [node]}; node = {code, name, level, synthetic, children: [node]};
  roots also carry `path`: their ancestors' [{code, name}].
- GET grids/?town=&village= → GeoJSON FeatureCollection of current grid boundaries; feature id = code;
  properties: code, name, kind, kind_label, area_class, dedicated_to, village, village_name, town,
  town_name, synthetic, version.
- GET grids/{code}/ → one GeoJSON Feature (properties as above plus area_class_label, active,
  valid_from, zones: [{code, name}]) and `people`: [{username, display_name, role, role_label,
  org_unit: {code, name}}], the active assignments to exactly this grid.
- GET locate/?lon=&lat=&crs=wgs84|gcj02 → {grid, grid_name, village, village_name, town, town_name,
  lon, lat} (lon/lat in WGS-84 after conversion).
- GET layers/district/ → FeatureCollection of the caller's district outline; properties: code, name,
  level, parent, synthetic, seat ([lon, lat]).
- GET layers/towns/ → outlines of the towns the caller works in (every town for district staff).
- GET layers/villages/?town= → outlines of the villages of those towns.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.jurisdiction import jurisdiction_codes
from accounts.models import Assignment
from core.errors import DomainError, NotFound
from territory import selectors
from territory.locate import locate
from territory.models import Division
from territory.scoping import covers

_ERROR = inline_serializer(
    "TerritoryErrorEnvelope",
    fields={
        "errors": serializers.ListField(
            child=inline_serializer(
                "TerritoryError",
                fields={
                    "code": serializers.CharField(),
                    "message": serializers.CharField(),
                    "field": serializers.CharField(allow_null=True),
                },
            )
        )
    },
)
_ERRORS = {400: _ERROR, 401: _ERROR, 404: _ERROR}


class _GeometrySerializer(serializers.Serializer):
    type = serializers.CharField(help_text="Polygon or MultiPolygon")
    coordinates = serializers.JSONField()


class _GridPropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="comprehensive (综合网格) or dedicated (专属网格)")
    kind_label = serializers.CharField()
    area_class = serializers.CharField(help_text="A, B or C (selects time limits)")
    dedicated_to = serializers.CharField(allow_blank=True)
    village = serializers.CharField()
    village_name = serializers.CharField()
    town = serializers.CharField()
    town_name = serializers.CharField()
    synthetic = serializers.BooleanField()
    version = serializers.IntegerField(allow_null=True)


class _GridFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.CharField()
    geometry = _GeometrySerializer(allow_null=True)
    properties = _GridPropertiesSerializer()


class _GridCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = _GridFeatureSerializer(many=True)


class _OrgUnitRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class _PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    org_unit = _OrgUnitRefSerializer()


class _ZoneRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class _GridDetailPropertiesSerializer(_GridPropertiesSerializer):
    area_class_label = serializers.CharField()
    active = serializers.BooleanField()
    valid_from = serializers.DateTimeField(allow_null=True)
    zones = _ZoneRefSerializer(many=True)


class _GridDetailSerializer(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.CharField()
    geometry = _GeometrySerializer(allow_null=True)
    properties = _GridDetailPropertiesSerializer()
    people = _PersonSerializer(many=True)


class _DivisionNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField(help_text="district, town or village")
    synthetic = serializers.BooleanField()
    children = serializers.ListField(
        child=serializers.DictField(),
        help_text="Nodes of the same shape (code, name, level, synthetic, children).",
    )
    path = _OrgUnitRefSerializer(many=True, required=False, help_text="Roots only: the ancestors.")


class _DivisionTreeSerializer(serializers.Serializer):
    roots = _DivisionNodeSerializer(many=True)


class _LocateSerializer(serializers.Serializer):
    grid = serializers.CharField()
    grid_name = serializers.CharField()
    village = serializers.CharField()
    village_name = serializers.CharField()
    town = serializers.CharField()
    town_name = serializers.CharField()
    lon = serializers.FloatField(help_text="WGS-84")
    lat = serializers.FloatField(help_text="WGS-84")


class _LayerPropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField(help_text="district, town or village")
    parent = serializers.CharField(allow_null=True)  # type: ignore[assignment]  # DRF pops declared fields
    synthetic = serializers.BooleanField()
    seat = serializers.ListField(child=serializers.FloatField(), allow_null=True)


class _LayerFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.CharField()
    geometry = _GeometrySerializer(allow_null=True)
    properties = _LayerPropertiesSerializer()


class _LayerCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = _LayerFeatureSerializer(many=True)


def _param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value.strip() if isinstance(value, str) else None


def _float_param(request: Request, name: str, label: str) -> float:
    raw = _param(request, name)
    if not raw:
        raise DomainError("required", f"缺少参数 {name}（{label}）。{name} is required.", field=name)
    try:
        return float(raw)
    except ValueError as exc:
        raise DomainError("invalid_number", f"{label}须为数字。{name} must be a number.", field=name) from exc


def people_assigned(grid_code: str) -> list[dict[str, Any]]:
    """Active assignments whose territory is exactly this grid (one query)."""
    rows: QuerySet[Assignment] = (
        Assignment.objects.filter(territory_code=grid_code, active=True, user__is_active=True)
        .select_related("user", "org_unit")
        .order_by("role", "user__username")
    )
    return [
        {
            "username": a.user.username,
            "display_name": a.user.display_name or a.user.username,
            "role": a.role,
            "role_label": str(a.get_role_display()),
            "org_unit": {"code": a.org_unit.code, "name": a.org_unit.name},
        }
        for a in rows
    ]


class DivisionTreeView(APIView):
    """The division tree inside the caller's jurisdiction."""

    @extend_schema(operation_id="territory_divisions", responses={200: _DivisionTreeSerializer, **_ERRORS})
    def get(self, request: Request) -> Response:
        return Response({"roots": selectors.division_tree(jurisdiction_codes(request.user))})


class GridListView(APIView):
    """Current grid boundaries as GeoJSON, optionally of one town or village."""

    @extend_schema(
        operation_id="territory_grids",
        parameters=[
            OpenApiParameter("town", OpenApiTypes.STR, description="9-digit town code"),
            OpenApiParameter("village", OpenApiTypes.STR, description="12-digit village code"),
        ],
        responses={200: _GridCollectionSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        town = selectors.check_code(_param(request, "town"), length=9, field="town", label="镇/街道")
        village = selectors.check_code(
            _param(request, "village"), length=12, field="village", label="村/社区"
        )
        return Response(
            selectors.grids_collection(jurisdiction_codes(request.user), town=town, village=village)
        )


class GridDetailView(APIView):
    """One grid with its geometry, village, town, enforcement zones and the people assigned to it."""

    @extend_schema(operation_id="territory_grid", responses={200: _GridDetailSerializer, **_ERRORS})
    def get(self, request: Request, code: str) -> Response:
        checked = selectors.check_code(code, length=15, field="code", label="网格")
        assert checked is not None
        detail = selectors.get_grid(jurisdiction_codes(request.user), checked)
        return Response({**detail.as_feature(), "people": people_assigned(checked)})


class LocateView(APIView):
    """Which grid contains a point (WGS-84, or GCJ-02 with crs=gcj02). A grid outside the caller's
    jurisdiction is not found, like a point outside every grid."""

    @extend_schema(
        operation_id="territory_locate",
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True, description="longitude"),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="latitude"),
            OpenApiParameter("crs", OpenApiTypes.STR, enum=["wgs84", "gcj02"], description="default wgs84"),
        ],
        responses={200: _LocateSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        lon = _float_param(request, "lon", "经度")
        lat = _float_param(request, "lat", "纬度")
        located = locate(lon, lat, crs=_param(request, "crs") or "wgs84")
        if not covers(jurisdiction_codes(request.user), located.grid_code):
            raise NotFound()
        names = selectors.grid_names(located.grid_code)
        return Response(
            {
                "grid": located.grid_code,
                "grid_name": names["grid_name"],
                "village": located.village_code,
                "village_name": names["village_name"],
                "town": located.town_code,
                "town_name": names["town_name"],
                "lon": located.lon,
                "lat": located.lat,
            }
        )


class LayerView(APIView):
    """Outlines for the map: the district, the caller's towns, or their villages (see selectors)."""

    level: ClassVar[str] = Division.Level.DISTRICT

    @extend_schema(
        parameters=[
            OpenApiParameter("town", OpenApiTypes.STR, description="9-digit town code (villages only)")
        ],
        responses={200: _LayerCollectionSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        town = None
        if self.level == Division.Level.VILLAGE:
            town = selectors.check_code(_param(request, "town"), length=9, field="town", label="镇/街道")
        return Response(selectors.layer_collection(jurisdiction_codes(request.user), self.level, town=town))


class DistrictLayerView(LayerView):
    level = Division.Level.DISTRICT


class TownLayerView(LayerView):
    level = Division.Level.TOWN


class VillageLayerView(LayerView):
    level = Division.Level.VILLAGE
