"""The enforcement JSON API (under /api/v1/enforcement/): the matter catalogue, who is responsible for a
place (四责), cases (list, open, detail with record and documents, actions, record attachments,
officers, preservation of evidence), grid-event conversion and officers' patrol logs.
Views are parse → access → action → render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core import pii
from core.api import raise_for_serializer
from core.errors import DomainError, NotFound
from core.replica import replica_reads
from enforcement import actions, imports, selectors
from enforcement.models import (
    Case,
    CaseOfficerRole,
    CaseSource,
    CircumstanceLevel,
    PartyKind,
    PatrolCheck,
    PatrolKind,
    PatrolLog,
    Procedure,
    RecordKind,
    Sector,
)
from enforcement.surcharge import for_case as late_payment_surcharge
from grid.event_selectors import get_event_for
from workflow.api import IDEMPOTENCY_PARAMETER
from workflow.engine import available_actions, time_left, traffic_light
from workflow.idempotency import idempotent
from workflow.listing import Pagination, attach_item_references
from workflow.selectors import timeline_of

ERROR_ENVELOPE = OpenApiResponse(description='{"errors": [{"code", "message", "field"}]}')
ERRORS = dict.fromkeys((400, 403, 404, 409, 422), ERROR_ENVELOPE)
PARSERS = [JSONParser, MultiPartParser, FormParser]


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


# ---------------------------------------------------------------------------------------------- render


def matter_data(matter: Any) -> dict[str, Any]:
    return {
        "code": matter.code,
        "name": matter.name,
        "sector": matter.sector,
        "sector_title": matter.get_sector_display(),
        "violation_basis": matter.violation_basis,
        "penalty_basis": matter.penalty_basis,
        "penalty_types": matter.penalty_types,
        "hearing_possible": matter.hearing_possible,
        "summary_allowed": matter.summary_allowed,
        "bands": [
            {
                "level": band.level,
                "level_title": band.get_level_display(),
                "circumstances": band.circumstances,
                "fine_min": _money(band.fine_min),
                "fine_max": _money(band.fine_max),
                "other_measures": band.other_measures,
            }
            for band in matter.bands.all()
        ],
    }


def _surcharge(case: Case, now: datetime) -> dict[str, Any] | None:
    owed = late_payment_surcharge(case, now)
    return owed.as_dict() if owed is not None else None


def case_summary_data(case: Case, now: datetime) -> dict[str, Any]:
    item = case.work_item
    definition = None
    if item is not None:
        from workflow.engine import definition_for

        definition = definition_for(item)
    left = time_left(item, now) if item is not None else None
    payment_overdue = bool(
        case.payment_due_at is not None and case.paid_at is None and now > case.payment_due_at
    )
    return {
        "id": case.pk,
        "number": case.number,
        "procedure": case.procedure,
        "source": case.source,
        "matter": {"code": case.matter.code, "name": case.matter.name},
        "town_code": case.town_code,
        "territory_code": case.territory_code,
        "address": case.address,
        "lon": case.lon,
        "lat": case.lat,
        "party_kind": case.party_kind,
        "party_name": case.party_name
        if case.party_kind == PartyKind.LEGAL
        else pii.mask_name(case.party_name),
        "party_credit_code": case.party_credit_code,
        "squad": {"code": case.squad.code, "name": case.squad.name},
        "lead_officer": case.lead_officer.username,
        "state": item.state if item else "",
        "state_title": definition.states[item.state].title if item and definition else "",
        "step_due_at": _iso(item.step_due_at) if item else None,
        "light": traffic_light(item, now) if item else None,
        "time_left": left.display if left else None,
        "decision_due_at": _iso(case.decision_due_at),
        "decision_number": case.decision_number,
        "fine_amount": _money(case.fine_amount),
        "payment_due_at": _iso(case.payment_due_at),
        "payment_overdue": payment_overdue,
        "late_payment_surcharge": _surcharge(case, now),
        "archive_number": case.archive_number,
        "created_at": _iso(case.created_at),
        "closed_at": _iso(case.closed_at),
        "grid_event": case.grid_event.receipt_number if case.grid_event_id and case.grid_event else None,
        "version": item.version if item else None,
    }


def case_detail_data(case: Case, user: User, now: datetime) -> dict[str, Any]:
    data = case_summary_data(case, now)
    item = case.work_item
    data.update(
        {
            "party_number": pii.mask_id_number(pii.decrypt(case.party_number_enc))
            if case.party_number_enc
            else "",
            "party_phone": pii.mask_phone(pii.decrypt(case.party_phone_enc)) if case.party_phone_enc else "",
            "party_address": case.party_address,
            "facts": case.facts,
            "circumstance_level": case.circumstance_level,
            "circumstances": case.circumstances,
            "proposed_fine": _money(case.proposed_fine),
            "proposed_measures": case.proposed_measures,
            "discretion_justification": case.discretion_justification,
            "outside_band": case.outside_band,
            "is_major": case.is_major,
            "needs_discussion": case.needs_discussion,
            "filed_at": _iso(case.filed_at),
            "preservation_due_at": _iso(case.preservation_due_at),
            "legal_review_due_at": _iso(case.legal_review_due_at),
            "legal_reviewed_at": _iso(case.legal_reviewed_at),
            "legal_review_opinion": case.legal_review_opinion,
            "discussed_at": _iso(case.discussed_at),
            "notice_at": _iso(case.notice_at),
            "hearing_window_ends_at": _iso(case.hearing_window_ends_at),
            "hearing_requested": case.hearing_requested,
            "hearing_at": _iso(case.hearing_at),
            "hearing_chair": case.hearing_chair.username
            if case.hearing_chair_id and case.hearing_chair
            else None,
            "extended": case.extended,
            "decided_at": _iso(case.decided_at),
            "penalty_summary": case.penalty_summary,
            "decision_basis": case.decision_basis,
            "served_at": _iso(case.served_at),
            "paid_at": _iso(case.paid_at),
            "officers": [
                {"username": o.officer.username, "name": str(o.officer), "role": o.role}
                for o in case.officers.all()
            ],
            "record": [
                {
                    "seq": e.seq,
                    "step": e.step,
                    "kind": e.kind,
                    "title": e.title,
                    "actor": e.actor.username,
                    "at": _iso(e.at),
                    "content_hash": e.content_hash,
                    "has_file": bool(e.file),
                    "meta": e.meta,
                }
                for e in case.record.all()
            ],
            "documents": [
                {
                    "id": d.pk,
                    "kind": d.kind,
                    "kind_title": d.get_kind_display(),
                    "number": d.number,
                    "volume": d.volume,
                    "content_hash": d.content_hash,
                    "generated_at": _iso(d.generated_at),
                }
                for d in case.documents.all()
            ],
            "services": [
                {
                    "method": s.method,
                    "method_title": s.get_method_display(),
                    "document_kind": s.document_kind,
                    "served_at": _iso(s.served_at),
                    "recipient": s.recipient,
                    "receipt_hash": s.receipt_hash,
                }
                for s in case.services.all()
            ],
            "timeline": (
                [
                    {
                        "action": row.transition.action,
                        "title": row.action_title,
                        "from": row.transition.from_state,
                        "from_title": row.from_title,
                        "to": row.transition.to_state,
                        "to_title": row.to_title,
                        "actor": str(row.transition.actor),
                        "reason": row.transition.reason,
                        "at": _iso(row.transition.occurred_at),
                    }
                    for row in timeline_of(item)
                ]
                if item
                else []
            ),
            "actions": (
                [
                    {
                        "name": a.name,
                        "title": a.title,
                        "to": a.target,
                        "requires": {"reason": a.requires.reason, "fields": list(a.requires.fields)},
                    }
                    for a in available_actions(item, user)
                ]
                if item is not None and actions.may_act(case, user)
                else []
            ),
        }
    )
    return data


# ---------------------------------------------------------------------------------------------- matters


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
        counts = imports.do_import_matters(upload, actor=_user(request), now=timezone.now())
        return Response(counts)


# ---------------------------------------------------------------------------------------------- 四责


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

        if not may_see_code(_user(request), result.grid_code):
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


# ---------------------------------------------------------------------------------------------- cases


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
        user = _user(request)
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
        user = _user(request)
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
        user = _user(request)
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
        user = _user(request)
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
        user = _user(request)
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
        user = _user(request)
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
        user = _user(request)
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
        user = _user(request)
        event = get_event_for(user, event_id)
        data = dict(raise_for_serializer(ConvertIn(data=request.data)))
        if not data.get("facts"):
            data.pop("facts", None)
        now = timezone.now()
        case = actions.do_convert_grid_event(event, data, actor=user, now=now)
        return Response(
            case_detail_data(selectors.case_for(user, case.pk), user, now), status=status.HTTP_201_CREATED
        )


# ---------------------------------------------------------------------------------------------- patrols


def patrol_data(log: PatrolLog) -> dict[str, Any]:
    return {
        "id": log.pk,
        "officer": log.officer.username,
        "squad": log.squad.code,
        "kind": log.kind,
        "started_at": _iso(log.started_at),
        "ended_at": _iso(log.ended_at),
        "summary": log.summary,
        "checks": [
            {
                "id": c.pk,
                "at": _iso(c.at),
                "checkpoint": c.checkpoint,
                "lon": c.lon,
                "lat": c.lat,
                "grid": c.grid_id,
                "finding": c.finding,
                "case": c.case_id,
            }
            for c in log.checks.all()
        ],
    }


class PatrolStartIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PatrolKind.choices)


class PatrolsView(APIView):
    @extend_schema(
        operation_id="enforcement_patrols", summary="执法巡查日志", responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request: Request) -> Response:
        logs = selectors.patrol_logs_for(_user(request))[:100]
        return Response({"results": [patrol_data(log) for log in logs]})

    @extend_schema(
        operation_id="enforcement_patrols_start",
        summary="开始巡查（定点值守/流动巡查）",
        request=PatrolStartIn,
        responses={201: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(PatrolStartIn(data=request.data))
        log = actions.do_start_patrol_log(kind=data["kind"], actor=_user(request), now=timezone.now())
        return Response(patrol_data(log), status=status.HTTP_201_CREATED)


def _own_log(request: Request, log_id: int) -> PatrolLog:
    log = selectors.patrol_logs_for(_user(request)).filter(pk=log_id).first()
    if log is None:
        raise NotFound("未找到该巡查。", field="patrol")
    return log


class CheckIn(serializers.Serializer[Any]):
    checkpoint = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    finding = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PatrolCheckView(APIView):
    @extend_schema(
        operation_id="enforcement_patrol_check",
        summary="巡查打点（时间、位置、发现问题）",
        request=CheckIn,
        responses={201: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request, log_id: int) -> Response:
        log = _own_log(request, log_id)
        data = raise_for_serializer(CheckIn(data=request.data))
        actions.do_add_patrol_check(log, actor=_user(request), now=timezone.now(), **data)
        return Response(patrol_data(_own_log(request, log_id)), status=status.HTTP_201_CREATED)


class EndIn(serializers.Serializer[Any]):
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PatrolEndView(APIView):
    @extend_schema(
        operation_id="enforcement_patrol_end",
        summary="结束巡查",
        request=EndIn,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, log_id: int) -> Response:
        log = _own_log(request, log_id)
        data = raise_for_serializer(EndIn(data=request.data))
        actions.do_end_patrol_log(log, actor=_user(request), now=timezone.now(), summary=data["summary"])
        return Response(patrol_data(_own_log(request, log_id)))


class PatrolCaseIn(CaseIn):
    source = serializers.ChoiceField(choices=[(CaseSource.PATROL.value, "巡查发现")], required=False)


class PatrolCaseView(APIView):
    @extend_schema(
        operation_id="enforcement_patrol_case",
        summary="巡查发现转立案（来源：巡查）",
        request=PatrolCaseIn,
        responses={201: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request, check_id: int) -> Response:
        user = _user(request)
        check = PatrolCheck.objects.select_related("log").filter(pk=check_id, log__officer=user).first()
        if check is None:
            raise NotFound("未找到该巡查记录。", field="check")
        data = dict(raise_for_serializer(PatrolCaseIn(data=request.data)))
        now = timezone.now()
        case = actions.do_case_from_patrol(check, data, actor=user, now=now)
        return Response(
            case_detail_data(selectors.case_for(user, case.pk), user, now), status=status.HTTP_201_CREATED
        )
