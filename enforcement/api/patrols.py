"""Officers' patrol logs: start, add checks, end, and a case opened from a check."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requests import acting_user
from core.api import raise_for_serializer
from core.errors import NotFound
from enforcement import actions, selectors
from enforcement.api.case_data import case_detail_data
from enforcement.api.cases import CaseIn
from enforcement.api.common import ERRORS, _iso
from enforcement.models import CaseSource, PatrolCheck, PatrolKind, PatrolLog


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
        logs = selectors.patrol_logs_for(acting_user(request))[:100]
        return Response({"results": [patrol_data(log) for log in logs]})

    @extend_schema(
        operation_id="enforcement_patrols_start",
        summary="开始巡查（定点值守/流动巡查）",
        request=PatrolStartIn,
        responses={201: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(PatrolStartIn(data=request.data))
        log = actions.do_start_patrol_log(kind=data["kind"], actor=acting_user(request), now=timezone.now())
        return Response(patrol_data(log), status=status.HTTP_201_CREATED)


def _own_log(request: Request, log_id: int) -> PatrolLog:
    log = selectors.patrol_logs_for(acting_user(request)).filter(pk=log_id).first()
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
        actions.do_add_patrol_check(log, actor=acting_user(request), now=timezone.now(), **data)
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
        actions.do_end_patrol_log(
            log, actor=acting_user(request), now=timezone.now(), summary=data["summary"]
        )
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
        user = acting_user(request)
        check = PatrolCheck.objects.select_related("log").filter(pk=check_id, log__officer=user).first()
        if check is None:
            raise NotFound("未找到该巡查记录。", field="check")
        data = dict(raise_for_serializer(PatrolCaseIn(data=request.data)))
        now = timezone.now()
        case = actions.do_case_from_patrol(check, data, actor=user, now=now)
        return Response(
            case_detail_data(selectors.case_for(user, case.pk), user, now), status=status.HTTP_201_CREATED
        )
