"""Cases: list and open, detail, actions, record attachments, officers, preservation of evidence, and
the conversion of a grid event into a case (转执法). Views are parse → access → action → render."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.requests import acting_user
from core.api import raise_for_serializer
from core.errors import DomainError
from core.replica import replica_reads
from enforcement import actions, selectors
from enforcement.api.case_data import case_detail_data, case_summary_data
from enforcement.api.common import ERROR_ENVELOPE, ERRORS, _iso
from enforcement.models import (
    CaseOfficerRole,
    CaseSource,
    CircumstanceLevel,
    PartyKind,
    Procedure,
    RecordKind,
)
from grid.events.selectors import get_event_for
from workflow.api import IDEMPOTENCY_PARAMETER
from workflow.idempotency import idempotent
from workflow.listing import Pagination, attach_item_references


class CaseIn(serializers.Serializer[Any]):
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    source = serializers.ChoiceField(choices=[c for c in CaseSource.choices if c[0] != CaseSource.GRID_EVENT])  # type: ignore[assignment]
    source_detail = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    matter = serializers.CharField(max_length=40)
    territory_code = serializers.CharField(required=False, allow_blank=True, max_length=15)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    party_kind = serializers.ChoiceField(choices=PartyKind.choices)
    party_name = serializers.CharField(max_length=200)
    party_number = serializers.CharField(required=False, allow_blank=True, max_length=18)
    party_credit_code = serializers.CharField(required=False, allow_blank=True, max_length=18)
    party_address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    party_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    facts = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    circumstance_level = serializers.ChoiceField(choices=CircumstanceLevel.choices, required=False)
    circumstances = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    proposed_fine = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    proposed_measures = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    discretion_justification = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    is_major = serializers.BooleanField(required=False, default=False)
    officers = serializers.ListField(child=serializers.CharField(max_length=150), required=False)


class CasesView(APIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="enforcement_cases",
        summary="案件列表（按管辖范围）",
        parameters=[
            OpenApiParameter("state", str, required=False),
            OpenApiParameter("mine", bool, required=False),
            OpenApiParameter("open", bool, required=False),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        queryset = (
            selectors.officer_cases(user)
            if request.query_params.get("mine") in ("1", "true")
            else (selectors.cases_for(user))
        )
        state = request.query_params.get("state")
        if state:
            queryset = queryset.filter(work_item__state=state)
        if request.query_params.get("open") in ("1", "true"):
            queryset = queryset.filter(work_item__closed_at__isnull=True)
        now = timezone.now()
        paginator = Pagination()
        # The unit and pinned version of each case's work item come from the process caches, not one
        # query per row (time_left needs the unit's working hours).
        lean = queryset.select_related(None).select_related(
            "matter", "squad", "lead_officer", "work_item", "grid_event"
        )
        page = paginator.paginate_queryset(lean, request, view=self) or []
        attach_item_references([c.work_item for c in page])
        return paginator.get_paginated_response([case_summary_data(c, now) for c in page])

    @extend_schema(
        operation_id="enforcement_cases_create",
        summary="登记案件（简易程序/普通程序）",
        request=CaseIn,
        responses={201: OpenApiTypes.OBJECT, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        data = dict(raise_for_serializer(CaseIn(data=request.data)))
        now = timezone.now()

        def work() -> tuple[int, dict[str, Any]]:
            case = actions.do_open_case(data, actor=user, now=now)
            return status.HTTP_201_CREATED, case_detail_data(selectors.case_for(user, case.pk), user, now)

        return idempotent(request, now=now, work=work)


class CaseDetailView(APIView):
    @extend_schema(
        operation_id="enforcement_case",
        summary="案件详情（全过程记录、文书、送达、流转、可执行操作）",
        responses={200: OpenApiTypes.OBJECT, 404: ERROR_ENVELOPE},
    )
    def get(self, request: Request, case_id: int) -> Response:
        user = acting_user(request)
        return Response(case_detail_data(selectors.case_for(user, case_id), user, timezone.now()))


class CaseActionIn(serializers.Serializer[Any]):
    action = serializers.CharField(max_length=60)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    inputs = serializers.DictField(required=False, default=dict)
    version = serializers.IntegerField(required=False, min_value=1)


class CaseActionView(APIView):
    @extend_schema(
        operation_id="enforcement_case_action",
        summary="对案件执行程序操作（立案、调查终结、法制审核、告知、听证、决定、送达、执行、结案、归档……）",
        request=CaseActionIn,
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = acting_user(request)
        case = selectors.case_for(user, case_id)
        data = raise_for_serializer(CaseActionIn(data=request.data))
        now = timezone.now()

        def work() -> tuple[int, dict[str, Any]]:
            actions.do_case_action(
                case,
                data["action"],
                actor=user,
                now=now,
                reason=data["reason"],
                inputs=data["inputs"],
                expected_version=data.get("version"),
            )
            return status.HTTP_200_OK, case_detail_data(selectors.case_for(user, case.pk), user, now)

        return idempotent(request, now=now, work=work)


class RecordIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[c for c in RecordKind.choices if c[0] != RecordKind.DOCUMENT])
    title = serializers.CharField(max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    file = serializers.FileField(required=False)


class CaseRecordView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="enforcement_case_record",
        summary="追加全过程记录（笔录、照片、录音、录像、证据，文件带 SHA-256）",
        request={"multipart/form-data": RecordIn},
        responses={201: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = acting_user(request)
        case = selectors.case_for(user, case_id)
        data = raise_for_serializer(RecordIn(data=request.data))
        entry = actions.do_add_record(
            case,
            kind=data["kind"],
            title=data["title"],
            note=data["note"],
            upload=data.get("file"),
            actor=user,
            now=timezone.now(),
        )
        return Response(
            {"seq": entry.seq, "kind": entry.kind, "content_hash": entry.content_hash, "at": _iso(entry.at)},
            status=status.HTTP_201_CREATED,
        )


class OfficerIn(serializers.Serializer[Any]):
    officer = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(
        choices=[(CaseOfficerRole.ASSIST.value, "协办"), (CaseOfficerRole.INVESTIGATOR.value, "调查人员")]
    )


class CaseOfficersView(APIView):
    @extend_schema(
        operation_id="enforcement_case_officers",
        summary="增加办案人员",
        request=OfficerIn,
        responses={201: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = acting_user(request)
        case = selectors.case_for(user, case_id)
        data = raise_for_serializer(OfficerIn(data=request.data))
        officer = User.objects.filter(username=data["officer"], is_active=True).first()
        if officer is None:
            raise DomainError("invalid", "用户不存在。", field="officer")
        actions.do_add_case_officer(case, officer, role=data["role"], actor=user, now=timezone.now())
        return Response({"officer": officer.username, "role": data["role"]}, status=status.HTTP_201_CREATED)


class PreservationIn(serializers.Serializer[Any]):
    items = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    decision = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class CasePreservationView(APIView):
    @extend_schema(
        operation_id="enforcement_case_preservation",
        summary="证据先行登记保存（items）或其处理决定（decision，7日内）",
        request=PreservationIn,
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = acting_user(request)
        case = selectors.case_for(user, case_id)
        data = raise_for_serializer(PreservationIn(data=request.data))
        now = timezone.now()
        if data["decision"]:
            actions.do_handle_preservation(case, decision=data["decision"], actor=user, now=now)
        else:
            actions.do_preserve_evidence(case, items=data["items"], actor=user, now=now)
        return Response(case_detail_data(selectors.case_for(user, case.pk), user, now))


class ConvertIn(serializers.Serializer[Any]):
    matter = serializers.CharField(max_length=40)
    party_kind = serializers.ChoiceField(choices=PartyKind.choices)
    party_name = serializers.CharField(max_length=200)
    party_number = serializers.CharField(required=False, allow_blank=True, max_length=18)
    party_credit_code = serializers.CharField(required=False, allow_blank=True, max_length=18)
    party_address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    party_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    officers = serializers.ListField(child=serializers.CharField(max_length=150), min_length=1)
    facts = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ConvertEventView(APIView):
    @extend_schema(
        operation_id="enforcement_convert_event",
        summary="调度员将网格事件转为执法案件（普通程序，来源：网格事件）",
        request=ConvertIn,
        responses={201: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request, event_id: int) -> Response:
        user = acting_user(request)
        event = get_event_for(user, event_id)
        data = dict(raise_for_serializer(ConvertIn(data=request.data)))
        if not data.get("facts"):
            data.pop("facts", None)
        now = timezone.now()
        case = actions.do_convert_grid_event(event, data, actor=user, now=now)
        return Response(
            case_detail_data(selectors.case_for(user, case.pk), user, now), status=status.HTTP_201_CREATED
        )
