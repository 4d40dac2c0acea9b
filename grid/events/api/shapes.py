"""Shapes of the grid events API: what it returns (events, the detail with its work item, timeline, actions,
attachments and duplicate candidates; the public status by receipt) and what it accepts (queries, reports,
actions, ratings). Types only: the rules live in the actions."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request

from grid.events.publication import PUBLIC_STATE_TITLES
from grid.models import CategoryKind, EventChannel
from workflow.models import Light

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


class PublicStepOut(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    text = serializers.CharField(help_text="the step in the resident's words (never who acted or why)")


class PublicStatusOut(serializers.Serializer[Any]):
    receipt_number = serializers.CharField()
    kind = serializers.CharField()
    category = RefOut()
    reported_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=[("open", "open"), ("closed", "closed")])
    state = serializers.CharField(help_text="the work item's state in process grid_event")
    public_state = serializers.ChoiceField(
        choices=[(code, code) for code in PUBLIC_STATE_TITLES],
        allow_blank=True,
        help_text="the state in the resident's words: received, accepted, in_progress, on_hold, handled, "
        "closed, not_accepted, merged",
    )
    state_title = serializers.CharField(
        help_text="the public state's wording (已收到, 已受理, 处理中, 已办结…), as the tracking page "
        "shows it"
    )
    handling_unit = serializers.CharField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    time_left = serializers.CharField(allow_null=True)
    expected = serializers.CharField(
        allow_null=True,
        help_text="the current step's deadline in words, counted by the work calendar "
        "(预计 3月3日 10:00 前处理完毕（按工作日计算，节假日顺延）)",
    )
    closed_at = serializers.DateTimeField(allow_null=True)
    timeline = PublicStepOut(many=True)
    public_reply = serializers.CharField(help_text="公开答复 (scrubbed); never the internal result text")
    after_photos = serializers.ListField(
        child=serializers.CharField(),
        help_text="URLs of the photos of the handling that closed the event (re-encoded, no EXIF)",
    )
    duplicate_of = serializers.CharField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)
    rating_allowed = serializers.BooleanField()


class PublicReceiptOut(serializers.Serializer[Any]):
    receipt_number = serializers.CharField()
    status = PublicStatusOut()


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


def photos_of(request: Request) -> list[Any]:
    return list(request.FILES.getlist("photos")) if hasattr(request.FILES, "getlist") else []


def report_kwargs(data: dict[str, Any], photos: list[Any]) -> dict[str, Any]:
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
