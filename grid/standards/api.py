"""The grid JSON API (under /api/v1/grid/): thin views, parse → access → action → render."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Assignment
from core.api import raise_for_serializer
from core.errors import DomainError, PermissionRefused
from grid.models import CategoryStandardVersion, GridBasicInfo
from grid.standards import actions, selectors
from grid.standards.actions.grid_lists import BASIC_INFO_COUNTS
from grid.standards.routing import get_category, route
from grid.standards.serializers import (
    BasicInfoIn,
    BasicInfoOut,
    CategoryTreeOut,
    GridListsOut,
    MajorClassOut,
    PatrolItemIn,
    PatrolItemOut,
    RoutingPreviewQuery,
    RoutingResultOut,
    StandardVersionOut,
)
from territory.models import Grid


def _version_out(version: CategoryStandardVersion) -> dict[str, Any]:
    version.row_count = version.rows.count()  # type: ignore[attr-defined]
    return StandardVersionOut(version).data


class CategoriesView(APIView):
    @extend_schema(
        operation_id="grid_categories",
        summary="事部件分类与立案结案标准（现行版本或指定版本）",
        parameters=[OpenApiParameter("version", int, description="版本号，默认现行版本")],
        responses=CategoryTreeOut,
    )
    def get(self, request: Request) -> Response:
        number = request.query_params.get("version")
        if number is None:
            version = selectors.current_standard_version()
        else:
            if not number.isdigit():
                raise DomainError("invalid", "版本号应为整数", field="version")
            found = CategoryStandardVersion.objects.filter(number=int(number)).first()
            if found is None:
                raise DomainError("not_found", f"没有版本 v{number}", field="version", status=404)
            version = found
        tree = selectors.category_tree(version)
        majors = MajorClassOut(tree, many=True).data  # type: ignore[arg-type]
        return Response({"version": _version_out(version), "majors": majors})


class StandardVersionsView(APIView):
    @extend_schema(
        operation_id="grid_standard_versions",
        summary="立案结案标准的全部版本",
        responses=StandardVersionOut(many=True),
    )
    def get(self, request: Request) -> Response:
        versions = selectors.standard_versions().annotate(row_count=Count("rows"))
        return Response(StandardVersionOut(versions, many=True).data)


class RoutingPreviewView(APIView):
    @extend_schema(
        operation_id="grid_routing_preview",
        summary="路由预览：某网格某分类会派给谁（不记录）",
        parameters=[RoutingPreviewQuery],
        responses=RoutingResultOut,
    )
    def get(self, request: Request) -> Response:
        query = raise_for_serializer(RoutingPreviewQuery(data=request.query_params))
        selectors.get_grid_for(request.user, query["grid"])
        if not selectors.may_preview_routing(request.user, query["grid"]):
            raise PermissionRefused("not_allowed", "只有指挥中心、督办、领导或数据管理员可以预览路由。")
        try:
            category = get_category(query["category"], query["kind"])
        except DomainError as exc:
            raise DomainError("invalid_category", exc.message, field="category") from exc
        result = route(category.code, grid_code=query["grid"], kind=query["kind"])
        return Response(RoutingResultOut(result).data)


def _basic_info_payload(
    info: GridBasicInfo | None, heads: list[Assignment], workers: list[Assignment]
) -> dict[str, Any]:
    payload: dict[str, Any] = {name: getattr(info, name) if info else 0 for name in BASIC_INFO_COUNTS}
    payload.update(
        estates=info.estates if info else "",
        note=info.note if info else "",
        updated_at=info.updated_at if info else None,
        grid_heads=heads,
        grid_workers=workers,
    )
    return payload


class GridListsView(APIView):
    @extend_schema(
        operation_id="grid_lists",
        summary="网格三张清单：基础信息、巡查事项、责任清单",
        responses=GridListsOut,
    )
    def get(self, request: Request, code: str) -> Response:
        lists = selectors.grid_lists(request.user, code)
        payload = {
            "grid": lists.grid,
            "basic_info": _basic_info_payload(lists.basic_info, lists.grid_heads, lists.grid_workers),
            "registry": lists.registry,
            "patrol_items": lists.patrol_items,
            "responsibilities": lists.responsibilities,
            "may_edit": lists.may_edit,
        }
        return Response(GridListsOut(payload).data)


class PatrolItemsView(APIView):
    @extend_schema(
        operation_id="grid_patrol_item_create",
        summary="新增巡查事项（本村、网格长或数据管理员）",
        request=PatrolItemIn,
        responses={201: PatrolItemOut},
    )
    def post(self, request: Request, code: str) -> Response:
        grid: Grid = selectors.get_grid_for(request.user, code)
        data = raise_for_serializer(PatrolItemIn(data=request.data))
        category = None
        if data.get("category"):
            try:
                category = get_category(data["category"], data["category_kind"])
            except DomainError as exc:
                raise DomainError("invalid_category", exc.message, field="category") from exc
        item = actions.do_add_patrol_item(
            grid,
            name=data["name"],
            frequency=data["frequency"],
            category=category,
            checkpoint=data["checkpoint"],
            lon=data["lon"],
            lat=data["lat"],
            actor=request.user,
            now=timezone.now(),
        )
        return Response(PatrolItemOut(item).data, status=201)


class BasicInfoView(APIView):
    @extend_schema(
        operation_id="grid_basic_info_update",
        summary="修改网格基础信息（本村、网格长或数据管理员）",
        request=BasicInfoIn,
        responses=BasicInfoOut,
    )
    def patch(self, request: Request, code: str) -> Response:
        grid: Grid = selectors.get_grid_for(request.user, code)
        unknown = sorted(set(request.data) - set(BasicInfoIn().fields))
        if unknown:
            raise DomainError("unknown_field", f"未知字段：{unknown[0]}", field=unknown[0])
        data = raise_for_serializer(BasicInfoIn(data=request.data, partial=True))
        info = actions.do_update_basic_info(grid, dict(data), actor=request.user, now=timezone.now())
        heads, workers = selectors.grid_staff(grid.code)
        return Response(BasicInfoOut(_basic_info_payload(info, heads, workers)).data)
