"""/api/v1/command/warnings/: the early warnings of the caller's jurisdiction (paged, filtered by state,
level, rule, open), one warning with its history and the caller's actions, and taking an action
(签收/处置/办结/误报/督办) through the engine. Parse → access (command role; 404 outside) → act → render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api import paginated, raise_for_serializer
from core.replica import replica_reads
from workflow.api import IDEMPOTENCY_PARAMETER
from workflow.deadlines import traffic_light
from workflow.idempotency import idempotent
from workflow.listing import Pagination
from workflow.publishing import definition_for

from .actions import do_act_on_warning
from .models import EarlyWarning, Level, Rule
from .selectors import WarningFilters, actions_in_order, filter_warnings, get_warning_for

STATES = ("raised", "acknowledged", "handled", "closed", "dismissed", "withdrawn")


class WarningSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.ChoiceField(choices=Rule.choices)
    rule_name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    level_name = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    evidence = serializers.DictField()
    territory_code = serializers.CharField()
    owner_unit = serializers.CharField(allow_null=True)
    owner_unit_name = serializers.CharField(allow_null=True)
    item_ids = serializers.ListField(child=serializers.IntegerField())
    raised_at = serializers.DateTimeField()
    work_item = serializers.IntegerField()
    state = serializers.CharField()
    state_title = serializers.CharField()
    light = serializers.CharField(allow_null=True)
    step_due_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    measures = serializers.CharField(allow_blank=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class WarningActionOut(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    requires_reason = serializers.BooleanField()
    requires_fields = serializers.ListField(child=serializers.CharField())


class WarningHistoryOut(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    occurred_at = serializers.DateTimeField()


class WarningDetailSerializer(WarningSerializer):
    actions = WarningActionOut(many=True)
    history = WarningHistoryOut(many=True)


class ListQuery(serializers.Serializer):
    state = serializers.ChoiceField(choices=STATES, required=False, default="")
    level = serializers.ChoiceField(choices=Level.choices, required=False, default="")
    rule = serializers.ChoiceField(choices=Rule.choices, required=False, default="")
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    territory = serializers.RegexField(r"^\d{6,15}$", required=False, default="")


class ActInput(serializers.Serializer):
    action = serializers.CharField(max_length=60)
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    inputs = serializers.DictField(required=False, default=dict)
    version = serializers.IntegerField(required=False, min_value=1, help_text="the item version you acted on")


def warning_data(warning: EarlyWarning, now: datetime) -> dict[str, Any]:
    item = warning.work_item
    definition = definition_for(item)
    unit = warning.owner_unit
    return {
        "id": warning.pk,
        "rule": warning.rule,
        "rule_name": warning.get_rule_display(),
        "level": warning.level,
        "level_name": warning.get_level_display(),
        "title": warning.title,
        "summary": warning.summary,
        "evidence": warning.evidence,
        "territory_code": warning.territory_code,
        "owner_unit": unit.code if unit else None,
        "owner_unit_name": unit.name if unit else None,
        "item_ids": warning.item_ids,
        "raised_at": warning.raised_at,
        "work_item": item.pk,
        "state": item.state,
        "state_title": definition.states[item.state].title,
        "light": traffic_light(item, now),
        "step_due_at": item.step_due_at,
        "version": item.version,
        "measures": warning.measures,
        "finished_at": warning.finished_at,
    }


def detail_data(user: User, warning_id: int, now: datetime) -> dict[str, Any]:
    warning = get_warning_for(user, warning_id)
    history = warning.work_item.transitions.select_related("actor").order_by("id")
    return {
        **warning_data(warning, now),
        "actions": [
            {
                "name": a.name,
                "title": a.title,
                "requires_reason": a.requires.reason,
                "requires_fields": list(a.requires.fields),
            }
            for a in actions_in_order(warning.work_item, user)
        ],
        "history": [
            {
                "action": t.action,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "actor": t.actor.display_name or t.actor.username,
                "reason": t.reason,
                "occurred_at": t.occurred_at,
            }
            for t in history
        ],
    }


class WarningListView(APIView):
    @extend_schema(
        operation_id="command_warnings_list",
        summary="预警列表（本人辖区）",
        parameters=[
            ListQuery,
            OpenApiParameter("page", int, description="页码（从 1 开始）"),
            OpenApiParameter("page_size", int, description="每页条数（≤ 200，缺省 25）"),
        ],
        responses={200: paginated(WarningSerializer, "PaginatedWarningList")},
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        data = raise_for_serializer(ListQuery(data=request.query_params.dict()))
        queryset = filter_warnings(request.user, WarningFilters(**data))
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        now = timezone.now()
        return paginator.get_paginated_response([warning_data(w, now) for w in page])


class WarningDetailView(APIView):
    @extend_schema(
        operation_id="command_warnings_detail", summary="预警详情", responses=WarningDetailSerializer
    )
    def get(self, request: Request, warning_id: int) -> Response:
        assert isinstance(request.user, User)
        return Response(detail_data(request.user, warning_id, timezone.now()))


class WarningActView(APIView):
    @extend_schema(
        operation_id="command_warnings_act",
        summary="处理预警（签收、处置、办结、误报撤销、督办）",
        request=ActInput,
        responses={200: WarningDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request, warning_id: int) -> Response:
        user = request.user
        assert isinstance(user, User)
        warning = get_warning_for(user, warning_id)
        data = raise_for_serializer(ActInput(data=request.data))
        now = timezone.now()

        def work() -> tuple[int, dict[str, Any]]:
            do_act_on_warning(
                warning,
                data["action"],
                actor=user,
                now=now,
                reason=data["reason"],
                inputs=data["inputs"],
                expected_version=data.get("version"),
            )
            return status.HTTP_200_OK, detail_data(user, warning.pk, now)

        return idempotent(request, now=now, work=work)
