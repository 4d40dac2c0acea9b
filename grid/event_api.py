"""The grid events JSON API (under /api/v1/grid/): staff and patrol intake, the scoped event list and
detail (with the work item, its timeline and the caller's actions), actions, and the public (anonymous)
report, tracking and rating by receipt number. Views are parse → access → action → render."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from core import pii, ratelimit
from core.api import paginated, raise_for_serializer
from core.replica import replica_reads
from grid import event_selectors
from grid.events import rating as event_rating
from grid.events import report as event_report
from grid.events import steps as event_steps
from grid.models import CategoryKind, EventAttachment, EventChannel, GridEvent
from workflow.api import IDEMPOTENCY_PARAMETER
from workflow.definitions import ActionDef
from workflow.engine import available_actions
from workflow.idempotency import idempotent
from workflow.listing import Pagination
from workflow.models import Light, WorkItem
from workflow.selectors import timeline_of, view_of

PUBLIC_REPORTS_PER_HOUR = 20
PUBLIC_LOOKUPS_PER_HOUR = 300
ERROR_ENVELOPE = OpenApiResponse(description='{"errors": [{"code", "message", "field"}]}')

# ---------------------------------------------------------------------------------------------- output


class RefOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class TimeLeftOut(serializers.Serializer[Any]):
    seconds = serializers.FloatField()
    unit = serializers.CharField()
    display = serializers.CharField()


class EventOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    receipt_number = serializers.CharField()
    kind = serializers.ChoiceField(choices=CategoryKind.choices)
    category = RefOut()
    title = serializers.CharField()
    channel = serializers.ChoiceField(choices=EventChannel.choices)
    address = serializers.CharField()
    lon = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    grid = RefOut()
    level = serializers.CharField(help_text="grid / village / town / district: the level holding the event")
    closure_level = serializers.CharField(help_text="the level at closure; empty while open")
    reported_at = serializers.DateTimeField()
    reporter = serializers.CharField(allow_null=True, help_text="username of a staff reporter")
    reporter_name = serializers.CharField(help_text="masked")
    reporter_phone = serializers.CharField(help_text="masked, e.g. 138****8000")
    duplicate_of = serializers.CharField(allow_null=True, help_text="receipt number of the original")
    rating = serializers.IntegerField(allow_null=True)
    state = serializers.CharField()
    state_title = serializers.CharField()
    assigned_unit = RefOut(allow_null=True)
    step_due_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    light = serializers.ChoiceField(choices=Light.choices, allow_null=True)
    time_left = TimeLeftOut(allow_null=True)


class RequiresOut(serializers.Serializer[Any]):
    reason = serializers.BooleanField()
    attachments = serializers.BooleanField()
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]


class ActionOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    title = serializers.CharField()
    to = serializers.CharField()
    requires = RequiresOut()


class TimelineOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    action = serializers.CharField()
    action_title = serializers.CharField()
    from_state = serializers.CharField()
    from_title = serializers.CharField()
    to_state = serializers.CharField()
    to_title = serializers.CharField()
    actor = serializers.CharField()
    reason = serializers.CharField()
    inputs = serializers.DictField()
    occurred_at = serializers.DateTimeField()
    step_elapsed_seconds = serializers.FloatField(allow_null=True)
    step_unit = serializers.CharField()


class WorkItemOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    state = serializers.CharField()
    state_title = serializers.CharField()
    version = serializers.IntegerField()
    assigned_unit = RefOut(allow_null=True)
    assignee = serializers.CharField(allow_null=True)
    priority = serializers.IntegerField()
    step_started_at = serializers.DateTimeField()
    step_due_at = serializers.DateTimeField(allow_null=True)
    warn_at = serializers.DateTimeField(allow_null=True)
    step_unit = serializers.CharField()
    deadline_provisional = serializers.BooleanField()
    clock_stopped = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    limit_overrides = serializers.DictField()


class AttachmentOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    stage = serializers.CharField()
    url = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class CandidateOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    receipt_number = serializers.CharField()
    title = serializers.CharField()
    reported_at = serializers.DateTimeField()
    state = serializers.CharField()
    distance_m = serializers.FloatField()


class RoutingOut(serializers.Serializer[Any]):
    unit = RefOut(allow_null=True)
    level = serializers.CharField()
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()


class EventDetailOut(EventOut):
    description = serializers.CharField()
    attributes = serializers.DictField()
    standard = serializers.DictField(allow_null=True)
    work_item = WorkItemOut(allow_null=True)
    timeline = TimelineOut(many=True)
    actions = ActionOut(many=True)
    attachments = AttachmentOut(many=True)
    duplicate_candidates = CandidateOut(many=True)
    duplicates = serializers.ListField(child=serializers.CharField())
    routing = RoutingOut(allow_null=True)


class PublicStatusOut(serializers.Serializer[Any]):
    receipt_number = serializers.CharField()
    kind = serializers.CharField()
    category = RefOut()
    reported_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=[("open", "open"), ("closed", "closed")])
    state = serializers.CharField()
    state_title = serializers.CharField()
    handling_unit = serializers.CharField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    time_left = serializers.CharField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    public_reply = serializers.CharField(help_text="公开答复 (scrubbed); never the internal result text")
    duplicate_of = serializers.CharField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)
    rating_allowed = serializers.BooleanField()


class PublicReceiptOut(serializers.Serializer[Any]):
    receipt_number = serializers.CharField()
    status = PublicStatusOut()


def _ref(obj: Any) -> dict[str, str] | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def _masked_phone(event: GridEvent) -> str:
    if not event.reporter_phone_encrypted:
        return ""
    try:
        return pii.mask_phone(pii.decrypt(event.reporter_phone_encrypted))
    except pii.InvalidToken:
        return "***"


def event_row(event: GridEvent, now: datetime) -> dict[str, Any]:
    item = event.work_item
    state = state_title = ""
    light: str | None = None
    left: dict[str, Any] | None = None
    if item is not None:
        view = view_of(item, now=now)
        state, state_title, light = item.state, view.state_title, view.light
        if view.time_left is not None:
            left = {
                "seconds": view.time_left.seconds,
                "unit": view.time_left.unit,
                "display": view.time_left.display,
            }
    return {
        "id": event.pk,
        "receipt_number": event.receipt_number,
        "kind": event.kind,
        "category": _ref(event.category),
        "title": event.title,
        "channel": event.channel,
        "address": event.address,
        "lon": event.lon,
        "lat": event.lat,
        "grid": _ref(event.grid),
        "level": event.level,
        "closure_level": event.closure_level,
        "reported_at": event.reported_at,
        "reporter": event.reporter.username if event.reporter is not None else None,
        "reporter_name": pii.mask_name(event.reporter_name),
        "reporter_phone": _masked_phone(event),
        "duplicate_of": event.duplicate_of.receipt_number if event.duplicate_of is not None else None,
        "rating": event.rating,
        "state": state,
        "state_title": state_title,
        "assigned_unit": _ref(item.assigned_unit) if item is not None else None,
        "step_due_at": item.step_due_at if item is not None else None,
        "closed_at": item.closed_at if item is not None else None,
        "light": light,
        "time_left": left,
    }


def _work_item_data(item: WorkItem, now: datetime) -> dict[str, Any]:
    view = view_of(item, now=now)
    return {
        "id": item.pk,
        "state": item.state,
        "state_title": view.state_title,
        "version": item.version,
        "assigned_unit": _ref(item.assigned_unit),
        "assignee": item.assignee.username if item.assignee is not None else None,
        "priority": item.priority,
        "step_started_at": item.step_started_at,
        "step_due_at": item.step_due_at,
        "warn_at": item.warn_at,
        "step_unit": item.step_unit,
        "deadline_provisional": item.deadline_provisional,
        "clock_stopped": item.paused_at is not None,
        "closed_at": item.closed_at,
        "limit_overrides": item.limit_overrides or {},
    }


def _action_data(action: ActionDef) -> dict[str, Any]:
    return {
        "name": action.name,
        "title": action.title,
        "to": action.target,
        "requires": {
            "reason": action.requires.reason,
            "attachments": action.requires.attachments,
            "fields": list(action.requires.fields),
        },
    }


def _attachment_data(attachment: EventAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "stage": attachment.stage,
        "url": attachment.file.url if attachment.file else attachment.url,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": attachment.uploaded_at,
    }


def detail_data(user: User, event_id: int, now: datetime) -> dict[str, Any]:
    event = event_selectors.get_event_for(user, event_id)
    data = event_row(event, now)
    item = event.work_item
    data["description"] = event.description
    data["attributes"] = event.attributes
    data["standard"] = (
        {
            "id": event.standard.pk,
            "filing_condition": event.standard.filing_condition,
            "closing_condition": event.standard.closing_condition,
            "limit": event.standard.limit_for_area(event.grid.area_class),
            "unit": event.standard.unit,
            "area_class": event.grid.area_class,
        }
        if event.standard is not None
        else None
    )
    data["work_item"] = _work_item_data(item, now) if item is not None else None
    data["timeline"] = (
        [
            {
                "id": row.transition.pk,
                "action": row.transition.action,
                "action_title": row.action_title,
                "from_state": row.transition.from_state,
                "from_title": row.from_title,
                "to_state": row.transition.to_state,
                "to_title": row.to_title,
                "actor": row.transition.actor.display_name or row.transition.actor.username,
                "reason": row.transition.reason,
                "inputs": row.transition.inputs,
                "occurred_at": row.transition.occurred_at,
                "step_elapsed_seconds": row.transition.step_elapsed_seconds,
                "step_unit": row.transition.step_unit,
            }
            for row in timeline_of(item)
        ]
        if item is not None
        else []
    )
    data["actions"] = [_action_data(a) for a in available_actions(item, user)] if item is not None else []
    data["attachments"] = [_attachment_data(a) for a in event.attachments.order_by("id")]
    candidates: list[dict[str, Any]] = []
    if item is not None and item.state == "reported" and Role.DISPATCHER in user_roles(user):
        for other, distance in event_selectors.duplicate_candidates_with_distance(event):
            candidates.append(
                {
                    "id": other.pk,
                    "receipt_number": other.receipt_number,
                    "title": other.title,
                    "reported_at": other.reported_at,
                    "state": other.work_item.state if other.work_item is not None else "",
                    "distance_m": round(distance, 1),
                }
            )
    data["duplicate_candidates"] = candidates
    data["duplicates"] = list(event.duplicates.order_by("id").values_list("receipt_number", flat=True))
    decision = event_selectors.latest_routing(event)
    data["routing"] = (
        {
            "unit": _ref(decision.chosen_unit),
            "level": decision.level,
            "reason": decision.reason,
            "decided_at": decision.decided_at,
        }
        if decision is not None
        else None
    )
    return dict(EventDetailOut(data).data)


# ---------------------------------------------------------------------------------------------- input


class JSONObjectField(serializers.JSONField):
    """A JSON object given as an object (JSON bodies) or as a JSON string (multipart forms)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError as error:
                raise serializers.ValidationError("须为 JSON 对象。", code="invalid") from error
        if not isinstance(data, dict):
            raise serializers.ValidationError("须为 JSON 对象。", code="invalid")
        return data


class EventQueryBase(serializers.Serializer[Any]):
    state = serializers.CharField(required=False, default="")
    category = serializers.RegexField(r"^\d{2}(\d{2})?$", required=False, default="")
    channel = serializers.ChoiceField(choices=EventChannel.choices, required=False, default="")
    grid = serializers.RegexField(r"^\d{15}$", required=False, default="")
    town = serializers.RegexField(r"^\d{9}$", required=False, default="")
    village = serializers.RegexField(r"^\d{12}$", required=False, default="")
    overdue = serializers.BooleanField(required=False, default=False)
    unrouted = serializers.BooleanField(required=False, default=False)


class EventQuery(EventQueryBase):
    # `from` is a Python keyword: the query parameters are from/to, mapped in the view.
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)


class ReportIn(serializers.Serializer[Any]):
    category_code = serializers.CharField(
        max_length=4,
        required=False,
        allow_blank=True,
        default="",
        help_text="事件小类代码（4位）；群众可不填：归入“其他事件”并标记待分类，由调度员研判派遣",
    )
    kind = serializers.ChoiceField(choices=CategoryKind.choices, required=False, default=CategoryKind.EVENT)
    description = serializers.CharField(max_length=2000, trim_whitespace=True)
    title = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    crs = serializers.CharField(max_length=10, required=False, default="wgs84")
    address = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    reporter_name = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    reporter_phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    media_urls = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list, max_length=9
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="JPEG/PNG/WebP, ≤ 10 MB, ≤ 9"
    )
    publish_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="the reporter agrees that the description may be shown publicly once a moderator "
        "released it (residents' reports only)",
    )


class StaffReportIn(ReportIn):
    category_code = serializers.CharField(max_length=4, help_text="事件或部件小类代码（4位）")
    channel = serializers.ChoiceField(
        choices=EventChannel.choices,
        required=False,
        help_text="patrol (grid workers), hotline / dispatcher / referral (dispatchers); "
        "default: patrol for grid workers, dispatcher otherwise",
    )
    grid_code = serializers.RegexField(r"^\d{15}$", required=False, default="", allow_blank=True)
    attributes = JSONObjectField(required=False, default=dict)


class ActionIn(serializers.Serializer[Any]):
    action = serializers.CharField(max_length=60)
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    inputs = JSONObjectField(required=False, default=dict)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="the work item version you acted on"
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RatingIn(serializers.Serializer[Any]):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=1000)


def _photos(request: Request) -> list[Any]:
    return list(request.FILES.getlist("photos")) if hasattr(request.FILES, "getlist") else []


def throttle(request: Request, *, scope: str, per_hour: int, now: datetime) -> None:
    """A one-hour window per client address in the shared cache; over the limit → 429 in the envelope."""
    ratelimit.enforce_for_client(
        request,
        f"grid-{scope}",
        limit=per_hour,
        window=timedelta(hours=1),
        now=now,
        code="rate_limited",
        message="提交过于频繁，请稍后再试。Too many requests.",
    )


def _report_kwargs(data: dict[str, Any], photos: list[Any]) -> dict[str, Any]:
    return {
        "category_code": data["category_code"],
        "kind": data["kind"],
        "description": data["description"],
        "title": data["title"],
        "lon": data["lon"],
        "lat": data["lat"],
        "crs": data["crs"],
        "address": data["address"],
        "reporter_name": data["reporter_name"],
        "reporter_phone": data["reporter_phone"],
        "media_urls": data["media_urls"],
        "photos": photos,
        "publish_consent": data["publish_consent"],
    }


PARSERS = [JSONParser, MultiPartParser, FormParser]


class EventListView(APIView):
    parser_classes = PARSERS

    @extend_schema(
        operation_id="grid_events_list",
        summary="网格事件列表（按辖区）",
        parameters=[
            EventQueryBase,
            OpenApiParameter("from", str, description="上报日期起（YYYY-MM-DD，含）"),
            OpenApiParameter("to", str, description="上报日期止（YYYY-MM-DD，含）"),
        ],
        responses={200: paginated(EventOut, "PaginatedGridEventList"), 400: ERROR_ENVELOPE},
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        params = request.query_params.dict()
        for name, target in (("from", "date_from"), ("to", "date_to")):
            if name in params:
                params[target] = params.pop(name)
        try:
            filters = raise_for_serializer(EventQuery(data=params))
        except serializers.ValidationError as error:
            detail = error.detail
            if isinstance(detail, dict):
                for name, target in (("from", "date_from"), ("to", "date_to")):
                    if target in detail:
                        detail[name] = detail.pop(target)
            raise
        now = timezone.now()
        user = request.user
        assert isinstance(user, User)
        queryset = event_selectors.filter_events(user, event_selectors.EventFilters(**filters), now=now)
        paginator = Pagination()
        page = paginator.paginate_queryset(event_selectors.lean_events(queryset), request, view=self) or []
        event_selectors.attach_event_references(page)
        return paginator.get_paginated_response(EventOut([event_row(e, now) for e in page], many=True).data)

    @extend_schema(
        operation_id="grid_events_create",
        summary="工作人员/网格员上报事件（支持 multipart 上传照片）",
        request={"application/json": StaffReportIn, "multipart/form-data": StaffReportIn},
        responses={201: EventDetailOut, 400: ERROR_ENVELOPE, 403: ERROR_ENVELOPE, 404: ERROR_ENVELOPE},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(StaffReportIn(data=request.data))
        user = request.user
        assert isinstance(user, User)
        now = timezone.now()
        channel = data.get("channel") or (
            EventChannel.PATROL
            if user_roles(user) & {Role.GRID_WORKER, Role.GRID_HEAD}
            else EventChannel.DISPATCHER
        )
        photos = _photos(request)

        def work() -> tuple[int, dict[str, Any]]:
            event = event_report.do_report_event(
                actor=user,
                now=now,
                channel=channel,
                grid_code=data["grid_code"] or None,
                attributes=data["attributes"],
                **_report_kwargs(data, photos),
            )
            return status.HTTP_201_CREATED, detail_data(user, event.pk, now)

        return idempotent(request, now=now, work=work)


class EventDetailView(APIView):
    @extend_schema(
        operation_id="grid_events_detail",
        summary="网格事件详情：办件、流转记录、可执行操作、附件、疑似重复件",
        responses={200: EventDetailOut, 404: ERROR_ENVELOPE},
    )
    def get(self, request: Request, event_id: int) -> Response:
        assert isinstance(request.user, User)
        return Response(detail_data(request.user, event_id, timezone.now()))


class EventActionView(APIView):
    parser_classes = PARSERS

    @extend_schema(
        operation_id="grid_events_action",
        summary="对事件执行操作（立案、派遣、签收、反馈、核查、吹哨……）",
        request={"application/json": ActionIn, "multipart/form-data": ActionIn},
        responses={
            200: EventDetailOut,
            400: ERROR_ENVELOPE,
            403: ERROR_ENVELOPE,
            404: ERROR_ENVELOPE,
            409: ERROR_ENVELOPE,
            422: ERROR_ENVELOPE,
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request, event_id: int) -> Response:
        user = request.user
        assert isinstance(user, User)
        event = event_selectors.get_event_for(user, event_id)
        data = raise_for_serializer(ActionIn(data=request.data))
        photos = _photos(request)
        now = timezone.now()

        def work() -> tuple[int, dict[str, Any]]:
            event_steps.do_event_action(
                event,
                data["action"],
                actor=user,
                now=now,
                reason=data["reason"],
                inputs=data["inputs"],
                photos=photos,
                expected_version=data.get("version"),
            )
            return status.HTTP_200_OK, detail_data(user, event.pk, now)

        return idempotent(request, now=now, work=work)


# ---------------------------------------------------------------------------------------------- public


class PublicReportView(APIView):
    """Anonymous: no login, no session (so no CSRF), rate-limited per client address."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes = PARSERS

    @extend_schema(
        operation_id="grid_public_report",
        summary="群众匿名反映问题（返回受理编号）",
        request={"application/json": ReportIn, "multipart/form-data": ReportIn},
        responses={201: PublicReceiptOut, 400: ERROR_ENVELOPE, 429: ERROR_ENVELOPE},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        now = timezone.now()
        limit = int(getattr(settings, "GRID_PUBLIC_REPORTS_PER_HOUR", PUBLIC_REPORTS_PER_HOUR))
        throttle(request, scope="public-report", per_hour=limit, now=now)
        data = raise_for_serializer(ReportIn(data=request.data))
        event = event_report.do_report_event(
            actor=None, now=now, channel=EventChannel.RESIDENT_WEB, **_report_kwargs(data, _photos(request))
        )
        # No read-back: the event, its category and its new work item are the objects just written.
        body = {
            "receipt_number": event.receipt_number,
            "status": event_selectors.public_status(event, now=now),
        }
        return Response(PublicReceiptOut(body).data, status=status.HTTP_201_CREATED)


class PublicStatusView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="grid_public_report_status",
        summary="凭受理编号查询办理进度",
        responses={200: PublicStatusOut, 404: ERROR_ENVELOPE, 429: ERROR_ENVELOPE},
        auth=[],
    )
    def get(self, request: Request, receipt: str) -> Response:
        now = timezone.now()
        limit = int(getattr(settings, "GRID_PUBLIC_LOOKUPS_PER_HOUR", PUBLIC_LOOKUPS_PER_HOUR))
        throttle(request, scope="public-lookup", per_hour=limit, now=now)
        event = event_selectors.event_by_receipt(receipt)
        return Response(PublicStatusOut(event_selectors.public_status(event, now=now)).data)


class PublicRatingView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="grid_public_report_rating",
        summary="凭受理编号评价办理结果（办结后一次）",
        request=RatingIn,
        responses={
            200: PublicStatusOut,
            400: ERROR_ENVELOPE,
            403: ERROR_ENVELOPE,
            404: ERROR_ENVELOPE,
            409: ERROR_ENVELOPE,
            429: ERROR_ENVELOPE,
        },
        auth=[],
    )
    def post(self, request: Request, receipt: str) -> Response:
        now = timezone.now()
        limit = int(getattr(settings, "GRID_PUBLIC_LOOKUPS_PER_HOUR", PUBLIC_LOOKUPS_PER_HOUR))
        throttle(request, scope="public-lookup", per_hour=limit, now=now)
        event = event_selectors.event_by_receipt(receipt)
        data = raise_for_serializer(RatingIn(data=request.data))
        event_rating.do_rate_event(event, rating=data["rating"], comment=data["comment"], now=now, actor=None)
        event = event_selectors.event_by_receipt(event.receipt_number)
        return Response(PublicStatusOut(event_selectors.public_status(event, now=now)).data)
