"""The grid events JSON API for staff (under /api/v1/grid/events/): staff and patrol intake, the scoped event
list and detail (with the work item, its timeline and the caller's actions), and actions. Views are parse →
access → action → render."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from core.api import paginated, raise_for_serializer
from core.rendering import render_many
from core.replica import replica_reads
from grid.events import report as event_report
from grid.events import selectors as event_selectors
from grid.events import steps as event_steps
from grid.events.api.rows import EVENT_ROW_FIELDS, detail_data, event_row
from grid.events.api.shapes import (
    ERROR_ENVELOPE,
    PARSERS,
    ActionIn,
    EventDetailOut,
    EventOut,
    EventQuery,
    EventQueryBase,
    StaffReportIn,
    photos_of,
    report_kwargs,
)
from grid.models import EventChannel
from workflow.api import IDEMPOTENCY_PARAMETER
from workflow.idempotency import idempotent
from workflow.listing import Pagination


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
        rows = event_selectors.lean_events(queryset).only(*EVENT_ROW_FIELDS)
        page = paginator.paginate_queryset(rows, request, view=self) or []
        event_selectors.attach_event_references(page)
        return paginator.get_paginated_response(render_many(EventOut, [event_row(e, now) for e in page]))

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
        photos = photos_of(request)

        def work() -> tuple[int, dict[str, Any]]:
            event = event_report.do_report_event(
                actor=user,
                now=now,
                channel=channel,
                grid_code=data["grid_code"] or None,
                attributes=data["attributes"],
                **report_kwargs(data, photos),
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
        photos = photos_of(request)
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
