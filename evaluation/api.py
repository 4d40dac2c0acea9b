"""Officer-points API under /api/v1/enforcement/officers/: the ranking, an officer's entries, the
rotation flags, (re)computing a period and recording an assessment. Thin views."""

from __future__ import annotations

from dataclasses import asdict

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.jurisdiction import scope_for
from accounts.models import User
from accounts.requests import acting_user
from core.api import raise_for_serializer
from core.errors import DomainError, NotFound
from enforcement.models import Case
from evaluation import actions, selectors
from evaluation.serializers import (
    AssessmentIn,
    AssessmentOut,
    ComputeIn,
    ComputeOut,
    EntryOut,
    FlagOut,
    RankingOut,
)

PERIOD = OpenApiParameter("period", str, required=True, description="考核期 YYYY-MM，例如 2026-11")


class RankingView(APIView):
    @extend_schema(
        operation_id="enforcement_officers_ranking",
        summary="执法队员积分排名（按中队、按镇街）",
        parameters=[
            OpenApiParameter("period", str, description="考核期 YYYY-MM；不填为最近一个已计算的考核期"),
            OpenApiParameter("town", str, description="镇（街道）代码，9 位"),
            OpenApiParameter("squad", str, description="执法中队机构编码"),
        ],
        responses=RankingOut,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        ranking = selectors.ranking_for(
            acting_user(request),
            period=params.get("period") or selectors.default_period(timezone.now()),
            town=params.get("town", ""),
            squad=params.get("squad", ""),
        )
        return Response(RankingOut(asdict(ranking)).data)


class OfficerEntriesView(APIView):
    @extend_schema(
        operation_id="enforcement_officer_points",
        summary="某队员某考核期的积分明细",
        parameters=[PERIOD],
        responses=EntryOut(many=True),
    )
    def get(self, request: Request, officer_id: int) -> Response:
        entries = selectors.entries_for(
            acting_user(request), period=request.query_params.get("period"), officer_id=officer_id
        )
        return Response(EntryOut(entries, many=True).data)


class RotationView(APIView):
    @extend_schema(
        operation_id="enforcement_officers_rotation",
        summary="淘汰换岗预警（连续低于积分下限的队员及其积分历史）",
        parameters=[PERIOD],
        responses=FlagOut(many=True),
    )
    def get(self, request: Request) -> Response:
        flags = selectors.rotation_flags_for(acting_user(request), period=request.query_params.get("period"))
        return Response(FlagOut(flags, many=True).data)


class ComputeView(APIView):
    @extend_schema(
        operation_id="enforcement_officers_compute",
        summary="计算（重算）某考核期的执法积分",
        request=ComputeIn,
        responses=ComputeOut,
    )
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(ComputeIn(data=request.data))
        report = actions.do_compute_points(data["period"], actor=acting_user(request), now=timezone.now())
        return Response(ComputeOut(asdict(report)).data)


class AssessmentsView(APIView):
    @extend_schema(
        operation_id="enforcement_officers_assess",
        summary="记录案件评查结果（法制审核问题、决定被撤销、投诉查实、案卷质量）",
        request=AssessmentIn,
        responses={201: AssessmentOut},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(AssessmentIn(data=request.data))
        case = (
            scope_for(user, Case.objects.select_related("lead_officer"), "territory_code")
            .filter(pk=data["case"])
            .first()
        )
        if case is None:
            raise NotFound("案件不存在，或不在您的管辖范围内。", field="case")
        officer = None
        if data.get("officer"):
            officer = User.objects.filter(pk=data["officer"]).first()
            if officer is None:
                # As for someone not on the case: user ids are not to be probed through this door.
                raise DomainError("invalid", "该人员不是本案办案人员。", field="officer")
        assessment = actions.do_record_assessment(
            case, data["rule"], data["note"], actor=user, now=timezone.now(), officer=officer
        )
        return Response(AssessmentOut(assessment).data, status=201)
