"""The registry JSON API (under /api/v1/registry/): scoped, masked reads and the one unmask endpoint.
Thin views: parse → access (selectors) → action → render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.jurisdiction import jurisdiction_codes
from accounts.requests import acting_user
from core import ratelimit
from core.api import raise_for_serializer
from core.errors import DomainError, NotFound
from registry import selectors
from registry.actions import do_unmask
from registry.models import Building, Household, KeyPlace, UnmaskRecord
from registry.sensitivity import FIELDS
from territory.scoping import covers
from territory.selectors import grids_named

LIST_LIMIT = 200
PUBLIC_ADDRESS_RESULTS = 10
PUBLIC_ADDRESS_SEARCHES_PER_HOUR = 300  # per client address: typing a few addresses, not harvesting them


class RegistryPersonOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    territory_code = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    name = serializers.CharField(help_text="已脱敏：姓 + *")
    id_type = serializers.CharField()
    id_number = serializers.CharField(help_text="已脱敏：前 6 位 + 后 4 位（可配置）")
    birth_year = serializers.IntegerField(allow_null=True)
    sex = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True, help_text="已脱敏：3 + 4")
    has_address_detail = serializers.BooleanField()
    house_id = serializers.IntegerField(allow_null=True)
    house = serializers.CharField(allow_blank=True)
    building_id = serializers.IntegerField(allow_null=True)
    tenant = serializers.BooleanField()
    household_id = serializers.IntegerField(allow_null=True)
    relation = serializers.CharField(allow_blank=True)
    relation_label = serializers.CharField(allow_blank=True)
    has_sensitive_record = serializers.BooleanField()


class RegistryUnmaskLogOut(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username")
    field = serializers.CharField()
    purpose = serializers.CharField()
    purpose_label = serializers.CharField(source="get_purpose_display")
    note = serializers.CharField(allow_blank=True)
    work_item = serializers.CharField(allow_blank=True)


class RegistryPersonDetailOut(serializers.Serializer[Any]):
    person = RegistryPersonOut()
    unmask_log = RegistryUnmaskLogOut(many=True)


class RegistryUnmaskIn(serializers.Serializer[Any]):
    field = serializers.ChoiceField(choices=sorted(FIELDS))
    purpose = serializers.ChoiceField(choices=UnmaskRecord.Purpose.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    work_item = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class RegistryUnmaskOut(serializers.Serializer[Any]):
    field = serializers.CharField()
    value = serializers.CharField(allow_blank=True, help_text="原文；本次查看已记录")


class RegistryMoveOut(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    direction = serializers.CharField()
    relation = serializers.CharField(allow_blank=True)
    occurred_on = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)


class RegistryHouseholdOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    territory_code = serializers.CharField()
    house = serializers.CharField(allow_blank=True)
    members = RegistryPersonOut(many=True)
    moves = RegistryMoveOut(many=True)


class RegistryEntityOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    uscc = serializers.CharField()
    name = serializers.CharField()
    legal_representative = serializers.CharField(help_text="已脱敏")
    legal_representative_phone = serializers.CharField(allow_blank=True, help_text="已脱敏")
    industry_code = serializers.CharField()
    size = serializers.CharField()
    size_label = serializers.CharField()
    territory_code = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    building_id = serializers.IntegerField(allow_null=True)


class RegistryPlaceOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    territory_code = serializers.CharField()
    entity_id = serializers.IntegerField(allow_null=True)
    building_id = serializers.IntegerField(allow_null=True)
    inspection_days = serializers.IntegerField()


class RegistryHouseOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    room = serializers.CharField()
    rented = serializers.BooleanField()
    residents_count = serializers.IntegerField()


class RegistryBuildingOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    territory_code = serializers.CharField()
    address = serializers.CharField(source="address.text")
    compound = serializers.CharField()
    number = serializers.CharField()
    use = serializers.CharField()
    structure = serializers.CharField()
    floors = serializers.IntegerField()
    houses = RegistryHouseOut(many=True)
    people = RegistryPersonOut(many=True)
    entities = RegistryEntityOut(many=True)
    places = RegistryPlaceOut(many=True)


class RegistryAddressOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    territory_code = serializers.CharField()
    text = serializers.CharField()
    street = serializers.CharField()
    door_number = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    lon = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)


def _unmask(request: Request, subject: Any) -> Response:
    data = raise_for_serializer(RegistryUnmaskIn(data=request.data))
    value = do_unmask(subject, actor=acting_user(request), now=timezone.now(), **data)
    return Response(RegistryUnmaskOut({"field": data["field"], "value": value}).data)


class PeopleView(APIView):
    @extend_schema(
        operation_id="registry_people",
        summary="实有人口：按身份证号精确查找（哈希，不解密），或按网格列出（均脱敏）",
        parameters=[
            OpenApiParameter("id_number", OpenApiTypes.STR, description="证件号码（精确）"),
            OpenApiParameter("grid", OpenApiTypes.STR, description="网格编码"),
        ],
        responses=RegistryPersonOut(many=True),
    )
    def get(self, request: Request) -> Response:
        number = request.query_params.get("id_number", "").strip()
        grid = request.query_params.get("grid", "").strip()
        if number:
            people = [selectors.person_by_id_number(acting_user(request), number)]
        elif grid:
            people = list(
                selectors.people_visible_to(acting_user(request))
                .filter(territory_code=grid)
                .select_related("house")[:LIST_LIMIT]
            )
        else:
            raise DomainError("query_required", _("请提供证件号码或网格编码。"), field="id_number")
        return Response(RegistryPersonOut([selectors.masked_person(p) for p in people], many=True).data)


class PersonView(APIView):
    @extend_schema(
        operation_id="registry_person",
        summary="人员（脱敏）及其被解密查看记录",
        responses={200: RegistryPersonDetailOut, 404: OpenApiResponse(description="不存在或不在辖区内")},
    )
    def get(self, request: Request, person_id: int) -> Response:
        person = selectors.person_for(acting_user(request), person_id)
        payload = {
            "person": selectors.masked_person(person),
            "unmask_log": selectors.unmask_log_for_person(person),
        }
        return Response(RegistryPersonDetailOut(payload).data)


class PersonUnmaskView(APIView):
    @extend_schema(
        operation_id="registry_person_unmask",
        summary="解密查看人员的一个字段（须有权限并说明用途；每次留痕，限次）",
        request=RegistryUnmaskIn,
        responses={200: RegistryUnmaskOut, 403: OpenApiResponse(description="岗位无此级别"), 429: None},
    )
    def post(self, request: Request, person_id: int) -> Response:
        return _unmask(request, selectors.person_for(acting_user(request), person_id))


class HouseholdView(APIView):
    @extend_schema(
        operation_id="registry_household",
        summary="户：成员（脱敏）与迁入迁出记录",
        responses=RegistryHouseholdOut,
    )
    def get(self, request: Request, household_id: int) -> Response:
        household: Household = selectors.household_for(acting_user(request), household_id)
        payload = {
            "id": household.pk,
            "number": household.number,
            "territory_code": household.territory_code,
            "house": str(household.house) if household.house else "",
            "members": selectors.household_members(household),
            "moves": household.moves.order_by("occurred_on", "id"),
        }
        return Response(RegistryHouseholdOut(payload).data)


class BuildingView(APIView):
    @extend_schema(
        operation_id="registry_building",
        summary="房屋：住户（脱敏）、单位与重点场所",
        responses=RegistryBuildingOut,
    )
    def get(self, request: Request, building_id: int) -> Response:
        building: Building = selectors.building_for(acting_user(request), building_id)
        return Response(
            RegistryBuildingOut(
                {**vars(building), "address": building.address, **selectors.building_occupants(building)}
            ).data
        )


class EntityView(APIView):
    @extend_schema(
        operation_id="registry_entity", summary="实有单位（法定代表人脱敏）", responses=RegistryEntityOut
    )
    def get(self, request: Request, entity_id: int) -> Response:
        return Response(
            RegistryEntityOut(
                selectors.masked_entity(selectors.entity_for(acting_user(request), entity_id))
            ).data
        )


class EntityUnmaskView(APIView):
    @extend_schema(
        operation_id="registry_entity_unmask",
        summary="解密查看单位的法定代表人信息",
        request=RegistryUnmaskIn,
        responses=RegistryUnmaskOut,
    )
    def post(self, request: Request, entity_id: int) -> Response:
        return _unmask(request, selectors.entity_for(acting_user(request), entity_id))


class PlacesView(APIView):
    @extend_schema(
        operation_id="registry_places",
        summary="重点场所（辖区内，可按网格筛选）",
        parameters=[OpenApiParameter("grid", OpenApiTypes.STR, description="网格编码前缀")],
        responses=RegistryPlaceOut(many=True),
    )
    def get(self, request: Request) -> Response:
        places = selectors.places_visible_to(acting_user(request))
        if grid := request.query_params.get("grid", "").strip():
            places = places.filter(territory_code__startswith=grid)
        rows: list[KeyPlace] = list(places[:LIST_LIMIT])
        return Response(RegistryPlaceOut(rows, many=True).data)


class AddressesView(APIView):
    @extend_schema(
        operation_id="registry_addresses",
        summary="标准地址检索：输入任意部分（镇/村名、街路巷、门牌号、详址），空格分隔",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True)],
        responses=RegistryAddressOut(many=True),
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        if not query:
            raise DomainError("query_required", _("请输入地址关键字。"), field="q")
        return Response(RegistryAddressOut(selectors.search_addresses(query), many=True).data)


class RegistryAddressLocationOut(serializers.Serializer[Any]):
    address_id = serializers.IntegerField(allow_null=True, help_text="null：按村（社区）或网格名称找到的位置")
    address = serializers.CharField()
    grid = serializers.CharField()
    grid_name = serializers.CharField(allow_blank=True)
    village = serializers.CharField()
    village_name = serializers.CharField(allow_blank=True)
    town = serializers.CharField()
    town_name = serializers.CharField(allow_blank=True)
    lon = serializers.FloatField(allow_null=True, help_text="WGS-84")
    lat = serializers.FloatField(allow_null=True, help_text="WGS-84")
    located_by = serializers.ChoiceField(
        choices=["point", "code", "place"],
        help_text="point：按地址坐标落网格；code：地址登记在网格上（无坐标）；place：未找到标准地址时按村（社区）或网格名称，坐标取网格内一点",
    )


class AddressLocateView(APIView):
    """Locate by address (beside territory's locate by point): the address's point → its grid."""

    @extend_schema(
        operation_id="registry_address_locate",
        summary="按标准地址定位网格：地址（编号或能唯一确定的关键字）→ 坐标 → 网格",
        parameters=[
            OpenApiParameter("address", OpenApiTypes.INT, description="标准地址编号（检索结果的 id）"),
            OpenApiParameter("q", OpenApiTypes.STR, description="地址关键字，须只匹配一个地址"),
        ],
        responses={
            200: RegistryAddressLocationOut,
            404: OpenApiResponse(description="地址不存在、不在任何网格或不在辖区内"),
            422: OpenApiResponse(description="匹配到多个地址，或地址无法定位"),
        },
    )
    def get(self, request: Request) -> Response:
        address_id = request.query_params.get("address", "").strip()
        query = request.query_params.get("q", "").strip()
        if address_id and not address_id.isdigit():
            raise DomainError("invalid_address", _("地址编号须为数字。"), field="address")
        if not (address_id or query):
            raise DomainError("query_required", _("请提供地址编号或地址关键字。"), field="q")
        location = selectors.locate_address(selectors.address_by_query(address_id or query))
        if not covers(jurisdiction_codes(acting_user(request)), location.grid_code):
            raise NotFound()
        return Response(RegistryAddressLocationOut(location.as_dict()).data)


class PublicAddressesView(APIView):
    """The resident's report form: addresses (not personal data) with the grid each lies in, so picking
    one places the report. Anonymous, no session, rate-limited per client address."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="registry_public_addresses",
        summary="群众反映问题：检索标准地址（无匹配时按村、网格名称）并得到其坐标与所在网格（匿名，限频）",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True)],
        responses={200: RegistryAddressLocationOut(many=True), 429: OpenApiResponse(description="过于频繁")},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        now = timezone.now()
        limit = int(
            getattr(settings, "REGISTRY_PUBLIC_ADDRESS_SEARCHES_PER_HOUR", PUBLIC_ADDRESS_SEARCHES_PER_HOUR)
        )
        ratelimit.enforce_for_client(
            request,
            "registry-public-addresses",
            limit=limit,
            window=timedelta(hours=1),
            now=now,
            code="rate_limited",
            message=_("检索过于频繁，请稍后再试。Too many requests."),
        )
        query = request.query_params.get("q", "").strip()
        if not query:
            raise DomainError("query_required", _("请输入地址关键字。"), field="q")
        rows = []
        for address in selectors.search_addresses(query, limit=PUBLIC_ADDRESS_RESULTS):
            try:
                rows.append(selectors.locate_address(address).as_dict())
            except DomainError:
                continue  # an address that lies in no grid cannot place a report: not offered
        if len(rows) < PUBLIC_ADDRESS_RESULTS:
            # No (or few) standard addresses match — or the registries are not filled yet: offer the
            # villages' and grids' names, each placing the pin inside its grid.
            rows.extend(grids_named(query, limit=PUBLIC_ADDRESS_RESULTS - len(rows)))
        return Response(RegistryAddressLocationOut(rows, many=True).data)
