"""The party JSON API (under /api/v1/party/): jurisdiction-scoped reads of organisations and members
(masked), the 一肩挑 check, and the command centre's figures. Thin views: parse → selectors → render."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.jurisdiction import jurisdiction_codes
from accounts.models import User
from core.errors import DomainError
from party import selectors

LIST_LIMIT = 500


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class PartyOrganisationOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    territory_code = serializers.CharField()
    entity_id = serializers.IntegerField(allow_null=True)
    action_type = serializers.CharField(allow_blank=True)
    functional_type = serializers.CharField(allow_blank=True)
    secretary_id = serializers.IntegerField(allow_null=True)


class PartyMemberOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="已脱敏")
    person_id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    organisation = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    joined_on = serializers.DateField()
    mobile = serializers.BooleanField()
    grid_code = serializers.CharField()


class PartyGridHeadCheckOut(serializers.Serializer[Any]):
    grid_code = serializers.CharField()
    grid_name = serializers.CharField()
    village_code = serializers.CharField()
    satisfied = serializers.BooleanField()
    problem = serializers.CharField(
        allow_blank=True, help_text="no_head | no_branch | no_secretary | head_not_secretary"
    )


class OrganisationsView(APIView):
    @extend_schema(
        operation_id="party_organisations",
        summary="党组织（辖区内），可按类型筛选",
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, description="组织类型")],
        responses=PartyOrganisationOut(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.organisations_visible_to(_user(request))
        kind = request.query_params.get("kind", "").strip()
        if kind:
            if kind not in selectors.Organisation.Kind.values:
                raise DomainError("invalid_choice", f"组织类型无效：{kind!r}。", field="kind")
            rows = rows.filter(kind=kind)
        return Response(PartyOrganisationOut(rows[:LIST_LIMIT], many=True).data)


class MembersView(APIView):
    @extend_schema(
        operation_id="party_members",
        summary="党员（辖区内，脱敏），按网格列出",
        parameters=[OpenApiParameter("grid", OpenApiTypes.STR, description="网格编码", required=True)],
        responses=PartyMemberOut(many=True),
    )
    def get(self, request: Request) -> Response:
        grid = request.query_params.get("grid", "").strip()
        if not grid:
            raise DomainError("query_required", "请提供网格编码。", field="grid")
        members = selectors.members_visible_to(_user(request)).filter(territory_code=grid)[:LIST_LIMIT]
        return Response(PartyMemberOut([selectors.masked_member(m) for m in members], many=True).data)


class OneShoulderView(APIView):
    @extend_schema(
        operation_id="party_one_shoulder",
        summary="一肩挑：辖区内每个网格的检查结果与按村、镇的比例",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        checks = selectors.one_shoulder_checks(jurisdiction_codes(_user(request)))
        return Response(
            {
                "figures": selectors.one_shoulder_figures(checks),
                "grids": PartyGridHeadCheckOut([c.__dict__ for c in checks], many=True).data,
            }
        )


class FiguresView(APIView):
    @extend_schema(
        operation_id="party_figures",
        summary="党建引领：指挥中心读取的辖区数据（组织、党员、一肩挑、联户走访、三会一课）",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.command_figures(_user(request), now=timezone.now()))
