"""/api/v1/command/projects/: the key projects of the caller's jurisdiction (list) and one project with
its milestones, outline and linked work items coloured by traffic light (detail). Leaders and the
centre's dispatchers keep the register here (create, update, replace the milestones) through
command/projects/actions.py, as the admin does."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from command.projects.actions import do_set_milestones, do_write_project
from command.projects.models import KeyProject, Milestone
from command.projects.selectors import get_project_for, projects_visible_to
from command.selectors import require_command_role
from core.errors import DomainError
from core.replica import replica_reads
from workflow.deadlines import traffic_light
from workflow.models import WorkItem


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    owner_unit = serializers.CharField()
    owner_unit_name = serializers.CharField()
    territory_code = serializers.CharField()
    lon = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    progress = serializers.IntegerField(help_text="形象进度 0–100 %")
    updated_at = serializers.DateTimeField()


class MilestoneSerializer(serializers.Serializer):
    name = serializers.CharField()
    planned_on = serializers.DateField()
    actual_on = serializers.DateField(allow_null=True)
    late = serializers.BooleanField(help_text="计划日期已过（或实际晚于计划）")


class LinkedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField()
    light = serializers.CharField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    lon = serializers.FloatField(allow_null=True, help_text="网格事件的位置（无定位时为空）")
    lat = serializers.FloatField(allow_null=True)


class ProjectDetailSerializer(ProjectSerializer):
    description = serializers.CharField()
    outline = serializers.DictField(allow_null=True, help_text="GeoJSON Polygon / MultiPolygon（WGS-84）")
    milestones = MilestoneSerializer(many=True)
    work_items = LinkedItemSerializer(many=True)


def project_data(project: KeyProject) -> dict[str, Any]:
    return {
        "id": project.pk,
        "name": project.name,
        "owner_unit": project.owner_unit.code,
        "owner_unit_name": project.owner_unit.name,
        "territory_code": project.territory_code,
        "lon": project.lon,
        "lat": project.lat,
        "progress": project.progress,
        "updated_at": project.updated_at,
    }


def milestone_late(milestone: Milestone, today: date) -> bool:
    done = milestone.actual_on
    return done > milestone.planned_on if done is not None else milestone.planned_on < today


def _place(item: WorkItem) -> dict[str, float | None]:
    event = getattr(item, "grid_event", None)
    return {"lon": event.lon, "lat": event.lat} if event is not None else {"lon": None, "lat": None}


def detail_data(user: User, project_id: int, now: datetime) -> dict[str, Any]:
    project = get_project_for(user, project_id)
    today = timezone.localdate(now)
    return {
        **project_data(project),
        "description": project.description,
        "outline": project.outline,
        "milestones": [
            {
                "name": m.name,
                "planned_on": m.planned_on,
                "actual_on": m.actual_on,
                "late": milestone_late(m, today),
            }
            for m in project.milestones.all()
        ],
        "work_items": [
            {
                "id": item.pk,
                "title": item.title,
                "state": item.state,
                "light": traffic_light(item, now),
                "closed_at": item.closed_at,
                **_place(item),
            }
            for item in project.work_items.all()
        ],
    }


class ProjectWriteSerializer(serializers.Serializer):
    """The writable fields (documentation; the rules are in command/projects/actions.py)."""

    name = serializers.CharField(required=False, max_length=200)
    owner_unit = serializers.CharField(required=False, help_text="责任单位代码（本人辖区内）")
    territory_code = serializers.CharField(required=False, help_text="所在区划代码（本人辖区内）")
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    progress = serializers.IntegerField(required=False, min_value=0, max_value=100)
    description = serializers.CharField(required=False, allow_blank=True)
    outline = serializers.DictField(
        required=False, allow_null=True, help_text="GeoJSON Polygon / MultiPolygon"
    )


class MilestoneInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    planned_on = serializers.DateField()
    actual_on = serializers.DateField(required=False, allow_null=True)


class MilestonesWriteSerializer(serializers.Serializer):
    milestones = MilestoneInSerializer(many=True, help_text="替换全部里程碑（最多50个）")


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise DomainError("invalid", "请求体应为 JSON 对象。", field=None)
    return dict(request.data)


class ProjectListView(APIView):
    @extend_schema(
        operation_id="command_projects_list",
        summary="重点项目列表（本人辖区）",
        responses={200: ProjectSerializer(many=True)},
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        return Response([project_data(p) for p in projects_visible_to(request.user)])

    @extend_schema(
        operation_id="command_projects_create",
        summary="新建重点项目（领导、调度员；本人辖区内）",
        request=ProjectWriteSerializer,
        responses={201: ProjectDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        require_command_role(user)
        now = timezone.now()
        project = do_write_project(_body(request), actor=user, now=now)
        return Response(detail_data(user, project.pk, now), status=201)


class ProjectDetailView(APIView):
    @extend_schema(
        operation_id="command_projects_detail",
        summary="重点项目详情：轮廓、里程碑、关联事项（红黄绿灯）",
        responses={200: ProjectDetailSerializer},
    )
    @replica_reads
    def get(self, request: Request, project_id: int) -> Response:
        assert isinstance(request.user, User)
        return Response(detail_data(request.user, project_id, timezone.now()))

    @extend_schema(
        operation_id="command_projects_update",
        summary="修改重点项目（只改所给字段）",
        request=ProjectWriteSerializer,
        responses={200: ProjectDetailSerializer},
    )
    def patch(self, request: Request, project_id: int) -> Response:
        user = request.user
        assert isinstance(user, User)
        project = get_project_for(user, project_id)
        now = timezone.now()
        do_write_project(_body(request), actor=user, now=now, project=project)
        return Response(detail_data(user, project_id, now))


class ProjectMilestonesView(APIView):
    @extend_schema(
        operation_id="command_projects_milestones",
        summary="替换重点项目的里程碑",
        request=MilestonesWriteSerializer,
        responses={200: ProjectDetailSerializer},
    )
    def put(self, request: Request, project_id: int) -> Response:
        user = request.user
        assert isinstance(user, User)
        project = get_project_for(user, project_id)
        now = timezone.now()
        body = _body(request)
        unknown = sorted(set(body) - {"milestones"})
        if unknown or "milestones" not in body:
            raise DomainError(
                "invalid", '请求体应为 {"milestones": [...]}。', field=(unknown or ["milestones"])[0]
            )
        do_set_milestones(project, body["milestones"], actor=user, now=now)
        return Response(detail_data(user, project_id, now))
