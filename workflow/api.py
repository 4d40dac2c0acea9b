"""JSON API of the workflow: the work-item ledger (list, detail with history and the caller's actions),
creating an item, and taking an action. Views are parse → access → action → render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import OrgUnit, User
from core.api import paginated, raise_for_serializer
from core.errors import DomainError
from core.rendering import render_many
from core.replica import replica_reads
from workflow.engine import transition
from workflow.handlers import refuse_generic_start
from workflow.idempotency import HEADER, idempotent
from workflow.listing import Pagination, attach_item_references, lean_items
from workflow.models import Light, Priority, Transition
from workflow.process_definition import ActionDef
from workflow.selectors import (
    ItemFilters,
    ItemView,
    actions_for,
    filter_items,
    get_item_for,
    history_of,
    view_of,
)
from workflow.start import do_start_item
from workflow.subjects import check_subject

# ---------------------------------------------------------------------------------------------- output


class TimeLeftSerializer(serializers.Serializer):
    seconds = serializers.FloatField(help_text="counted time left in the step; negative once overdue")
    unit = serializers.CharField()
    display = serializers.CharField()


class RequiresSerializer(serializers.Serializer):
    reason = serializers.BooleanField()
    attachments = serializers.BooleanField()
    # DRF's metaclass pops declared fields, so this does not shadow Serializer.fields at run time.
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    to = serializers.CharField()
    requires = RequiresSerializer()


class TransitionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField()
    reason = serializers.CharField()
    inputs = serializers.DictField()
    occurred_at = serializers.DateTimeField()
    step_elapsed_seconds = serializers.FloatField(allow_null=True)
    step_unit = serializers.CharField()


class WorkItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.CharField()
    process_version = serializers.IntegerField()
    title = serializers.CharField()
    subject_type = serializers.CharField()
    subject_id = serializers.CharField()
    state = serializers.CharField()
    state_title = serializers.CharField()
    territory_code = serializers.CharField()
    assigned_unit = serializers.CharField(allow_null=True)
    assignee = serializers.CharField(allow_null=True)
    priority = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    due_provisional = serializers.BooleanField()
    step_due_at = serializers.DateTimeField(allow_null=True)
    warn_at = serializers.DateTimeField(allow_null=True)
    deadline_provisional = serializers.BooleanField()
    clock_stopped = serializers.BooleanField()
    overdue = serializers.BooleanField()
    light = serializers.ChoiceField(choices=Light.choices, allow_null=True)
    time_left = TimeLeftSerializer(allow_null=True)
    version = serializers.IntegerField()


class WorkItemDetailSerializer(WorkItemSerializer):
    history = TransitionSerializer(many=True)
    actions = ActionSerializer(many=True)


def _item_data(view: ItemView, now: datetime) -> dict[str, Any]:
    item = view.item
    return {
        "id": item.pk,
        "process": item.process_name,
        "process_version": item.process_version.version,
        "title": item.title,
        "subject_type": item.subject_type,
        "subject_id": item.subject_id,
        "state": item.state,
        "state_title": view.state_title,
        "territory_code": item.territory_code,
        "assigned_unit": item.assigned_unit.code if item.assigned_unit else None,
        "assignee": item.assignee.username if item.assignee else None,
        "priority": item.priority,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "closed_at": item.closed_at,
        "due_at": item.due_at,
        "due_provisional": item.due_provisional,
        "step_due_at": item.step_due_at,
        "warn_at": item.warn_at,
        "deadline_provisional": item.deadline_provisional,
        "clock_stopped": item.paused_at is not None,
        "overdue": view.light == Light.RED,
        "light": view.light,
        "time_left": (
            {
                "seconds": view.time_left.seconds,
                "unit": view.time_left.unit,
                "display": view.time_left.display,
            }
            if view.time_left
            else None
        ),
        "version": item.version,
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


def _transition_data(record: Transition) -> dict[str, Any]:
    return {
        "id": record.pk,
        "action": record.action,
        "from_state": record.from_state,
        "to_state": record.to_state,
        "actor": record.actor.username,
        "reason": record.reason,
        "inputs": record.inputs,
        "occurred_at": record.occurred_at,
        "step_elapsed_seconds": record.step_elapsed_seconds,
        "step_unit": record.step_unit,
    }


def detail_data(user: User, item_id: int, now: datetime) -> dict[str, Any]:
    item = get_item_for(user, item_id)
    data = _item_data(view_of(item, now=now), now)
    data["history"] = [_transition_data(t) for t in history_of(item)]
    data["actions"] = [_action_data(a) for a in actions_for(item, user)]
    return dict(WorkItemDetailSerializer(data).data)


# ---------------------------------------------------------------------------------------------- input


class ListQuerySerializer(serializers.Serializer):
    state = serializers.CharField(required=False, default="")
    process = serializers.CharField(required=False, default="")
    light = serializers.ChoiceField(choices=Light.choices, required=False, default="")
    mine = serializers.BooleanField(required=False, default=False)
    my_unit = serializers.BooleanField(required=False, default=False)
    territory = serializers.RegexField(r"^\d{6,15}$", required=False, default="")
    overdue = serializers.BooleanField(required=False, default=False)
    include_closed = serializers.BooleanField(required=False, default=False)


class CreateSerializer(serializers.Serializer):
    process = serializers.CharField(
        max_length=80,
        help_text="a process no stream owns (a stream's own door starts its process: 422 started_by_stream)",
    )
    title = serializers.CharField(max_length=200)
    territory_code = serializers.RegexField(r"^\d{6,15}$")
    subject_type = serializers.CharField(
        max_length=80,
        required=False,
        default="",
        allow_blank=True,
        help_text="model label (app.model) of a row in your jurisdiction that no work item handles yet",
    )
    subject_id = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    assigned_unit = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    assignee = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=Priority.NORMAL)
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class TransitionInputSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=60)
    reason = serializers.CharField(required=False, default="", allow_blank=True)
    inputs = serializers.DictField(required=False, default=dict)
    version = serializers.IntegerField(required=False, min_value=1, help_text="the item version you acted on")


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="retry-safe key: a retry returns the first result",
)


def _unit_and_assignee(data: dict[str, Any]) -> tuple[OrgUnit | None, User | None]:
    unit = None
    if data["assigned_unit"]:
        unit = OrgUnit.objects.filter(code=data["assigned_unit"]).first()
        if unit is None:
            raise DomainError("invalid", "承办机构不存在。", field="assigned_unit")
    assignee = None
    if data["assignee"]:
        assignee = User.objects.filter(username=data["assignee"], is_active=True).first()
        if assignee is None:
            raise DomainError("invalid", "承办人不存在。", field="assignee")
    return unit, assignee


class WorkItemListView(APIView):
    @extend_schema(
        operation_id="v1_work_items_list",
        parameters=[ListQuerySerializer],
        responses={200: paginated(WorkItemSerializer, "PaginatedWorkItemList")},
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        # A plain dict: DRF reads a blank parameter of a QueryDict as absent (`territory=` slipped by).
        filters = raise_for_serializer(ListQuerySerializer(data=request.query_params.dict()))
        now = timezone.now()
        assert isinstance(request.user, User)
        queryset = lean_items(filter_items(request.user, ItemFilters(**filters), now=now))
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        attach_item_references(page)
        rows = [_item_data(view_of(item, now=now), now) for item in page]
        return paginator.get_paginated_response(render_many(WorkItemSerializer, rows))

    @extend_schema(
        request=CreateSerializer,
        responses={201: WorkItemDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(CreateSerializer(data=request.data))
        now = timezone.now()
        user = request.user
        assert isinstance(user, User)

        def work() -> tuple[int, dict[str, Any]]:
            # A stream's process starts only through its stream, which writes the record its steps need.
            refuse_generic_start(data["process"])
            subject_type, subject_id = check_subject(user, data["subject_type"], data["subject_id"])
            unit, assignee = _unit_and_assignee(data)
            item = do_start_item(
                data["process"],
                actor=user,
                now=now,
                title=data["title"],
                territory_code=data["territory_code"],
                subject_type=subject_type,
                subject_id=subject_id,
                assigned_unit=unit,
                assignee=assignee,
                priority=int(data["priority"]),
                reason=data["reason"],
            )
            return status.HTTP_201_CREATED, detail_data(user, item.pk, now)

        return idempotent(request, now=now, work=work)


class WorkItemDetailView(APIView):
    @extend_schema(responses=WorkItemDetailSerializer)
    def get(self, request: Request, item_id: int) -> Response:
        assert isinstance(request.user, User)
        return Response(detail_data(request.user, item_id, timezone.now()))


class WorkItemTransitionView(APIView):
    @extend_schema(
        request=TransitionInputSerializer,
        responses={200: WorkItemDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request, item_id: int) -> Response:
        user = request.user
        assert isinstance(user, User)
        item = get_item_for(user, item_id)
        data = raise_for_serializer(TransitionInputSerializer(data=request.data))
        now = timezone.now()

        def work() -> tuple[int, dict[str, Any]]:
            transition(
                item,
                data["action"],
                actor=user,
                now=now,
                inputs=data["inputs"],
                reason=data["reason"],
                expected_version=data.get("version"),
            )
            return status.HTTP_200_OK, detail_data(user, item.pk, now)

        return idempotent(request, now=now, work=work)
