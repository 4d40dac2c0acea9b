"""The residents' JSON API (under /api/v1/public/reports/): anonymous report, tracking and rating by receipt
number, rate-limited per client address. Views are parse → access → action → render."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import ratelimit
from core.api import raise_for_serializer
from core.errors import Conflict, NotFound
from grid.events import intake as event_intake
from grid.events import rating as event_rating
from grid.events import selectors as event_selectors
from grid.events.api.shapes import (
    ERROR_ENVELOPE,
    PARSERS,
    PublicReceiptOut,
    PublicStatusOut,
    RatingIn,
    ReportIn,
    photos_of,
    report_kwargs,
)
from grid.models import EventChannel
from grid.tasks import huey_runs_inline, schedule_report_registration

PUBLIC_REPORTS_PER_HOUR = 20
PUBLIC_LOOKUPS_PER_HOUR = 300


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


class PublicReportView(APIView):
    """Anonymous: no login, no session (so no CSRF), rate-limited per client address. The report is checked
    in full and received (one intake row, the receipt number); the consumer registers the event."""

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
        intake, category = event_intake.do_receive_report(
            now=now, channel=EventChannel.RESIDENT_WEB, **report_kwargs(data, photos_of(request))
        )
        schedule_report_registration()
        if huey_runs_inline():
            # The consumer ran in this request: the receipt shows the event's state, as tracking will.
            status_now, _category = event_selectors.status_by_receipt(intake.receipt_number, now=now)
        else:
            # No read-back: the intake row and its category are the objects just written and read.
            status_now = event_selectors.intake_status(intake, category)
        body = {"receipt_number": intake.receipt_number, "status": status_now}
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
        status_now, _category = event_selectors.status_by_receipt(receipt, now=now)
        return Response(PublicStatusOut(status_now).data)


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
        try:
            event = event_selectors.event_by_receipt(receipt)
        except NotFound:
            if event_selectors.intake_by_receipt(receipt) is None:
                raise
            raise Conflict("not_closed", "事件办结后才能评价。", field="rating") from None
        data = raise_for_serializer(RatingIn(data=request.data))
        event_rating.do_rate_event(event, rating=data["rating"], comment=data["comment"], now=now, actor=None)
        event = event_selectors.event_by_receipt(event.receipt_number)
        return Response(PublicStatusOut(event_selectors.public_status(event, now=now)).data)
