"""The approvals JSON API (under /api/v1/approvals/): the public catalogue and guides, applications
(filed at the window or by proxy, scoped reads, actions on them) and the centre-authorisation report.
Views are parse → access → action → render; enumerations travel as plain strings (documented in the
field help) so the OpenAPI document keeps one enum per concept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from approvals import actions, selectors
from approvals.models import Application, ServiceItem
from core.api import paginated, raise_for_serializer
from core.errors import DomainError
from core.rendering import render_many
from core.replica import replica_reads
from workflow.access import available_actions
from workflow.listing import Pagination

ERROR_ENVELOPE = OpenApiResponse(description='{"errors": [{"code", "message", "field"}]}')

# ---------------------------------------------------------------------------------------------- output


class ApprovalMaterialOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    form = serializers.CharField(help_text="original / copy / original_and_copy / electronic")
    count = serializers.IntegerField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    condition = serializers.CharField(help_text="when a conditional material is needed")
    template = serializers.CharField()


class ApprovalLimitOut(serializers.Serializer[Any]):
    amount = serializers.IntegerField()
    unit = serializers.CharField(help_text="work_days / natural_days")
    note = serializers.CharField()


class ApprovalItemOut(serializers.Serializer[Any]):
    basic_code = serializers.CharField()
    implementation_code = serializers.CharField()
    name = serializers.CharField()
    item_type = serializers.CharField(help_text="XK 行政许可 / QR 行政确认 / JF 行政给付 / … / GG 公共服务")
    item_type_label = serializers.CharField()
    service_level = serializers.CharField(help_text="district / town / village")
    theme = serializers.CharField()
    handling_type = serializers.CharField(help_text="immediate 即办件 / promised 承诺件")
    legal_limit = ApprovalLimitOut()
    promised_limit = ApprovalLimitOut()
    version = serializers.IntegerField()
    guide_url = serializers.CharField()


class ApprovalItemDetailOut(ApprovalItemOut):
    implementing_body = serializers.CharField()
    implementing_body_credit_code = serializers.CharField()
    legal_basis = serializers.CharField()
    conditions = serializers.CharField()
    materials = ApprovalMaterialOut(many=True)
    channels = serializers.ListField(child=serializers.CharField())
    service_objects = serializers.ListField(child=serializers.CharField())
    fee = serializers.CharField()
    fee_basis = serializers.CharField()
    visits = serializers.IntegerField()
    place = serializers.CharField()
    hours = serializers.CharField()
    consultation_phone = serializers.CharField()
    complaint_phone = serializers.CharField()
    flow_steps = serializers.ListField(child=serializers.CharField())
    content_hash = serializers.CharField()
    centres = serializers.ListField(
        child=serializers.CharField(), help_text="codes of the centres handling it"
    )


class ApprovalCheckedMaterialOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    received = serializers.BooleanField()


class ApprovalTransitionOut(serializers.Serializer[Any]):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField()
    reason = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class ApprovalApplicationOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    receipt_no = serializers.CharField()
    item = serializers.CharField(help_text="implementation code")
    item_name = serializers.CharField()
    item_version = serializers.IntegerField()
    centre = serializers.CharField()
    channel = serializers.CharField(help_text="window / online / proxy")
    applicant_kind = serializers.CharField(help_text="natural / legal")
    applicant_name = serializers.CharField(help_text="masked for natural persons")
    applicant_number = serializers.CharField(help_text="masked citizen ID, or the credit code")
    applicant_phone = serializers.CharField(help_text="masked")
    territory_code = serializers.CharField()
    state = serializers.CharField()
    state_title = serializers.CharField()
    handling_unit = serializers.CharField()
    step_due_at = serializers.DateTimeField(allow_null=True)
    time_left = serializers.CharField()
    clock_stopped = serializers.BooleanField()
    version = serializers.IntegerField(help_text="work item version, for compare-and-swap")
    submitted_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(help_text="'' / approved / refused / not_accepted / withdrawn")
    delivery_method = serializers.CharField(help_text="'' / window / ems / electronic")
    ems_tracking_no = serializers.CharField()
    certificate_identifier = serializers.CharField()


class ApprovalApplicationDetailOut(ApprovalApplicationOut):
    materials = ApprovalCheckedMaterialOut(many=True)
    corrections_note = serializers.CharField()
    outcome_reason = serializers.CharField()
    outcome_legal_basis = serializers.CharField()
    proxy_worker = serializers.CharField(allow_null=True)
    actions = serializers.ListField(child=serializers.CharField(), help_text="engine actions open to you")
    history = ApprovalTransitionOut(many=True)


class ApprovalCentreLineOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    territory_code = serializers.CharField()
    service_level = serializers.CharField(help_text="demonstration / standard / station")
    service_level_label = serializers.CharField()
    items = serializers.IntegerField()
    minimum = serializers.IntegerField(allow_null=True)
    short_by = serializers.IntegerField()
    falls_short = serializers.BooleanField()


class ApprovalItemLineOut(serializers.Serializer[Any]):
    implementation_code = serializers.CharField()
    name = serializers.CharField()
    legal_limit = serializers.CharField()
    promised_limit = serializers.CharField()
    share = serializers.FloatField(allow_null=True, help_text="null: the item has no legal limit")
    reason = serializers.CharField(help_text="why the promised-limit rule refuses it; empty if it holds")


class ApprovalReportOut(serializers.Serializer[Any]):
    share_limit = serializers.FloatField()
    items_checked = serializers.IntegerField()
    centres = ApprovalCentreLineOut(many=True)
    centres_short = ApprovalCentreLineOut(many=True)
    items_over_share = ApprovalItemLineOut(many=True)
    items_without_legal_limit = ApprovalItemLineOut(many=True)


def item_row(item: ServiceItem) -> dict[str, Any]:
    v = item.current_version
    assert v is not None
    return {
        "basic_code": item.basic_code,
        "implementation_code": item.implementation_code,
        "name": v.name,
        "item_type": item.item_type,
        "item_type_label": item.get_item_type_display(),
        "service_level": item.service_level,
        "theme": item.theme,
        "handling_type": v.handling_type,
        "legal_limit": {
            "amount": v.legal_limit_amount,
            "unit": v.legal_limit_unit,
            "note": v.legal_limit_note,
        },
        "promised_limit": {
            "amount": v.promised_limit_amount,
            "unit": v.promised_limit_unit,
            "note": v.promised_limit_note,
        },
        "version": v.version,
        "guide_url": f"/approvals/guide/{item.implementation_code}/",
    }


def item_detail(item: ServiceItem) -> dict[str, Any]:
    v = item.current_version
    assert v is not None
    materials = [
        {
            "name": m["name"],
            "form": m.get("form", ""),
            "count": m.get("count", 1),
            "required": bool(m.get("required")),
            "condition": m.get("condition", ""),
            "template": m.get("template", ""),
        }
        for m in v.materials
    ]
    return {
        **item_row(item),
        "implementing_body": v.implementing_body,
        "implementing_body_credit_code": v.implementing_body_credit_code,
        "legal_basis": v.legal_basis,
        "conditions": v.conditions,
        "materials": materials,
        "channels": v.channels,
        "service_objects": v.service_objects,
        "fee": v.fee,
        "fee_basis": v.fee_basis,
        "visits": v.visits,
        "place": v.place,
        "hours": v.hours,
        "consultation_phone": v.consultation_phone,
        "complaint_phone": v.complaint_phone,
        "flow_steps": v.flow_steps,
        "content_hash": v.content_hash,
        "centres": [c.code for c in selectors.centres_for_item(item)],
    }


def application_row(app: Application, now: datetime) -> dict[str, Any]:
    from core import pii

    progress = selectors.progress_of(app, now)
    item = app.work_item
    return {
        "id": app.pk,
        "receipt_no": app.receipt_no,
        "item": app.item.implementation_code,
        "item_name": app.item_version.name,
        "item_version": app.item_version.version,
        "centre": app.centre.code,
        "channel": app.channel,
        "applicant_kind": app.applicant_kind,
        "applicant_name": pii.mask_name(app.applicant_name)
        if app.applicant_kind == "natural"
        else app.applicant_name,
        "applicant_number": app.applicant_number_masked,
        "applicant_phone": app.applicant_phone_masked,
        "territory_code": app.territory_code,
        "state": progress.state,
        "state_title": progress.state_title,
        "handling_unit": progress.handling_unit,
        "step_due_at": item.step_due_at if item is not None else None,
        "time_left": progress.time_left,
        "clock_stopped": progress.paused,
        "version": item.version if item is not None else 0,
        "submitted_at": app.submitted_at,
        "accepted_at": app.accepted_at,
        "completed_at": app.completed_at,
        "outcome": app.outcome,
        "delivery_method": app.delivery_method,
        "ems_tracking_no": app.ems_tracking_no,
        "certificate_identifier": app.certificate_identifier,
    }


def application_detail(user: User, application_id: int | str, now: datetime) -> dict[str, Any]:
    app = selectors.get_application_for(user, application_id)
    data = application_row(app, now)
    data.update(
        {
            "materials": app.materials,
            "corrections_note": app.corrections_note,
            "outcome_reason": app.outcome_reason,
            "outcome_legal_basis": app.outcome_legal_basis,
            "proxy_worker": app.proxy_worker.username if app.proxy_worker is not None else None,
            "actions": [a.name for a in available_actions(app.work_item, user)] if app.work_item else [],
            "history": [
                {
                    "action": t.action,
                    "from_state": t.from_state,
                    "to_state": t.to_state,
                    "actor": t.actor.display_name or t.actor.username,
                    "reason": t.reason,
                    "occurred_at": t.occurred_at,
                }
                for t in selectors.history(app)
            ],
        }
    )
    return dict(ApprovalApplicationDetailOut(data).data)


# ---------------------------------------------------------------------------------------------- input


class ApprovalItemQuery(serializers.Serializer[Any]):
    level = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="district/town/village"
    )
    type = serializers.CharField(required=False, default="", allow_blank=True, help_text="XK, QR, JF, … GG")
    theme = serializers.CharField(required=False, default="", allow_blank=True)
    centre = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="centre org-unit code"
    )
    q = serializers.CharField(required=False, default="", allow_blank=True, max_length=60)


class ApprovalApplicationIn(serializers.Serializer[Any]):
    item = serializers.CharField(max_length=36, help_text="implementation code")
    centre = serializers.CharField(max_length=40, help_text="the handling centre's org-unit code")
    channel = serializers.CharField(default="window", help_text="window (clerk) / proxy (grid worker)")
    applicant_kind = serializers.CharField(help_text="natural / legal")
    applicant_name = serializers.CharField(max_length=100)
    applicant_number = serializers.CharField(max_length=30, help_text="citizen ID or credit code")
    applicant_phone = serializers.CharField(max_length=20)
    materials = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, default=list
    )
    decision = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="window only: accept / corrections / refuse"
    )
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    proxy_consent = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)


class ApprovalActionIn(serializers.Serializer[Any]):
    version = serializers.IntegerField(required=False, help_text="the work item version you read")
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    materials = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, default=list
    )
    approve = serializers.BooleanField(required=False, default=True, help_text="decide: true = 准予")
    legal_basis = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    method = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="window/ems/electronic"
    )
    ems_tracking_no = serializers.CharField(required=False, default="", allow_blank=True, max_length=30)


ACTIONS = ("accept", "corrections", "resume", "refuse", "complete", "review", "decide", "deliver", "withdraw")


def run_action(
    app: Application, name: str, data: dict[str, Any], *, actor: User, now: datetime
) -> Application:
    """Dispatch a named application action (shared by the API and the staff pages)."""
    version = data.get("version")
    reason = data.get("reason", "")
    if name == "accept":
        return actions.do_accept_application(app, actor=actor, now=now, expected_version=version)
    if name == "corrections":
        return actions.do_request_corrections(
            app, actor=actor, now=now, note=reason, expected_version=version
        )
    if name == "resume":
        return actions.do_resume_application(
            app, actor=actor, now=now, materials=data.get("materials", []), expected_version=version
        )
    if name == "refuse":
        return actions.do_refuse_acceptance(
            app, actor=actor, now=now, reason=reason, expected_version=version
        )
    if name == "complete":
        return actions.do_complete_on_spot(app, actor=actor, now=now, expected_version=version)
    if name == "review":
        return actions.do_pass_review(app, actor=actor, now=now, opinion=reason, expected_version=version)
    if name == "decide":
        return actions.do_decide_application(
            app,
            actor=actor,
            now=now,
            approve=bool(data.get("approve", True)),
            reason=reason,
            legal_basis=data.get("legal_basis", ""),
            expected_version=version,
        )
    if name == "deliver":
        return actions.do_deliver_application(
            app,
            actor=actor,
            now=now,
            method=data.get("method", ""),
            ems_tracking_no=data.get("ems_tracking_no", ""),
            expected_version=version,
        )
    if name == "withdraw":
        return actions.do_withdraw_application(
            app, actor=actor, now=now, reason=reason, expected_version=version
        )
    raise DomainError("unknown_action", f"没有操作“{name}”。", field="action")


# ---------------------------------------------------------------------------------------------- views


class ItemListView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="approvals_items_list",
        summary="服务事项目录（公开；按层级、类型、主题、进驻中心筛选）",
        parameters=[ApprovalItemQuery],
        responses={200: paginated(ApprovalItemOut, "PaginatedApprovalItemList"), 400: ERROR_ENVELOPE},
    )
    def get(self, request: Request) -> Response:
        query = raise_for_serializer(ApprovalItemQuery(data=request.query_params.dict()))
        filters = selectors.ItemFilters(
            level=query["level"],
            item_type=query["type"],
            theme=query["theme"],
            centre=query["centre"],
            q=query["q"],
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.catalogue(filters), request, view=self) or []
        return paginator.get_paginated_response([ApprovalItemOut(item_row(i)).data for i in page])


class ItemDetailView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="approvals_items_detail",
        summary="服务事项办事指南（公开）",
        responses={200: ApprovalItemDetailOut, 404: ERROR_ENVELOPE},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(ApprovalItemDetailOut(item_detail(selectors.get_item(code))).data)


class ApplicationQuery(serializers.Serializer[Any]):
    open = serializers.BooleanField(required=False, default=False, help_text="只列未办结的")


class ApplicationListView(APIView):
    @extend_schema(
        operation_id="approvals_applications_list",
        summary="申请（办件）列表（按辖区）",
        parameters=[ApplicationQuery],
        responses={
            200: paginated(ApprovalApplicationOut, "PaginatedApprovalApplicationList"),
            400: ERROR_ENVELOPE,
        },
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        query = raise_for_serializer(ApplicationQuery(data=request.query_params.dict()))
        rows = selectors.applications_visible_to(user)
        if query["open"]:
            rows = rows.filter(completed_at__isnull=True)
        now = timezone.now()
        paginator = Pagination()
        ordered = selectors.lean_applications(rows).order_by("-submitted_at", "-id")
        page = selectors.attach_references(paginator.paginate_queryset(ordered, request, view=self) or [])
        return paginator.get_paginated_response(
            render_many(ApprovalApplicationOut, [application_row(a, now) for a in page])
        )

    @extend_schema(
        operation_id="approvals_applications_create",
        summary="窗口受理（window，可同时受理/补正/不予受理）或网格员代办（proxy）",
        request=ApprovalApplicationIn,
        responses={
            201: ApprovalApplicationDetailOut,
            400: ERROR_ENVELOPE,
            403: ERROR_ENVELOPE,
            404: ERROR_ENVELOPE,
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        data = raise_for_serializer(ApprovalApplicationIn(data=request.data))
        now = timezone.now()
        centre = selectors.centre_by_code(data["centre"])
        filing: dict[str, Any] = {
            "item_code": data["item"],
            "centre": centre,
            "applicant": actions.ApplicantInput(
                kind=data["applicant_kind"],
                name=data["applicant_name"],
                number=data["applicant_number"],
                phone=data["applicant_phone"],
            ),
            "materials": data["materials"],
        }
        if data["channel"] == "window" and data["decision"]:
            app = actions.do_take_application(
                actor=user, now=now, decision=data["decision"], reason=data["reason"], **filing
            )
        elif data["channel"] in ("window", "proxy"):
            app = actions.do_file_application(
                actor=user, now=now, channel=data["channel"], proxy_consent=data["proxy_consent"], **filing
            )
        else:
            raise DomainError(
                "invalid", "渠道应为 window 或 proxy（网上申请请用申请页面）。", field="channel"
            )
        return Response(application_detail(user, app.pk, now), status=status.HTTP_201_CREATED)


class ApplicationDetailView(APIView):
    @extend_schema(
        operation_id="approvals_applications_detail",
        summary="申请（办件）详情：状态、时限、材料、流转记录",
        responses={200: ApprovalApplicationDetailOut, 404: ERROR_ENVELOPE},
    )
    def get(self, request: Request, application_id: int) -> Response:
        assert isinstance(request.user, User)
        return Response(application_detail(request.user, application_id, timezone.now()))


class ApplicationActionView(APIView):
    @extend_schema(
        operation_id="approvals_applications_action",
        summary="办件操作：accept 受理 / corrections 补正 / resume 补正已收 / refuse 不予受理 / "
        "complete 即办 / review 审查通过 / decide 决定 / deliver 送达 / withdraw 撤回",
        request=ApprovalActionIn,
        parameters=[
            OpenApiParameter("application_id", int, OpenApiParameter.PATH),
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(ACTIONS)),
        ],
        responses={
            200: ApprovalApplicationDetailOut,
            400: ERROR_ENVELOPE,
            403: ERROR_ENVELOPE,
            404: ERROR_ENVELOPE,
            409: ERROR_ENVELOPE,
        },
    )
    def post(self, request: Request, application_id: int, action: str) -> Response:
        user = request.user
        assert isinstance(user, User)
        app = selectors.get_application_for(user, application_id)
        data = raise_for_serializer(ApprovalActionIn(data=request.data))
        now = timezone.now()
        run_action(app, action, data, actor=user, now=now)
        return Response(application_detail(user, app.pk, now))


class CentreReportView(APIView):
    @extend_schema(
        operation_id="approvals_centres_report",
        summary="进驻事项核查：示范型≥250、标准型≥199、承诺时限≤法定50%（按辖区）",
        responses={200: ApprovalReportOut},
    )
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        return Response(ApprovalReportOut(selectors.authorisation_report(request.user).as_dict()).data)
