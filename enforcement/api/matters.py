"""The matter catalogue (list, XLSX import) and who is responsible for a place (四责)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requests import acting_user
from core.errors import DomainError, NotFound
from enforcement import imports, selectors
from enforcement.api.case_data import matter_data
from enforcement.api.common import ERROR_ENVELOPE, ERRORS
from enforcement.models import Sector


class MattersView(APIView):
    @extend_schema(
        operation_id="enforcement_matters",
        summary="执法事项目录（含裁量基准）",
        parameters=[OpenApiParameter("sector", str, enum=Sector.values, required=False)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.matters()
        sector = request.query_params.get("sector")
        if sector:
            if sector not in Sector.values:
                raise DomainError("invalid", "领域无效。", field="sector")
            queryset = queryset.filter(sector=sector)
        return Response({"results": [matter_data(m) for m in queryset]})


class MatterImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="enforcement_matters_import",
        summary="导入执法事项目录（XLSX，全部通过才导入）",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("required", "请上传 XLSX 文件。", field="file")
        counts = imports.do_import_matters(upload, actor=acting_user(request), now=timezone.now())
        return Response(counts)


class ResponsibleView(APIView):
    @extend_schema(
        operation_id="enforcement_responsible",
        summary="四责：某点位/网格的责任中队与队员（巡查在内、执法在外、片区包干、监管全域）",
        parameters=[
            OpenApiParameter("lon", float, required=False),
            OpenApiParameter("lat", float, required=False),
            OpenApiParameter("grid", str, required=False),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: ERROR_ENVELOPE, 404: ERROR_ENVELOPE},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        lon = lat = None
        if params.get("lon") or params.get("lat"):
            try:
                lon, lat = float(params.get("lon", "")), float(params.get("lat", ""))
            except ValueError:
                raise DomainError("invalid", "经纬度须为数字。", field="lon") from None
        result = selectors.responsible_for(code=params.get("grid", ""), lon=lon, lat=lat)
        from accounts.jurisdiction import may_see_code

        if not may_see_code(acting_user(request), result.grid_code):
            raise NotFound(field="grid")
        from territory.models import GridBoundary

        boundary = (
            GridBoundary.objects.filter(grid_id=result.grid_code, valid_to__isnull=True)
            .values_list("geometry", flat=True)
            .first()
        )
        properties = {
            "grid": result.grid_code,
            "village": result.village_code,
            "town": result.town_code,
            "zone": {"code": result.zone.code, "name": result.zone.name} if result.zone else None,
            "squad": {"code": result.squad.code, "name": result.squad.name} if result.squad else None,
            "supervisor_unit": (
                {"code": result.supervisor_unit.code, "name": result.supervisor_unit.name}
                if result.supervisor_unit
                else None
            ),
            "duties": selectors.DUTIES,
            "people": [{"username": p.username, "name": p.name, "duties": p.duties} for p in result.people],
        }
        return Response({"type": "Feature", "geometry": boundary, "properties": properties})
