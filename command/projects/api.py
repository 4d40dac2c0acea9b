"""/api/v1/command/projects/: the key projects of the caller's jurisdiction (list) and one project with
its milestones, outline and linked work items coloured by traffic light (detail). Read-only: the register
is kept in the admin."""

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
from command.projects.models import KeyProject, Milestone
from command.projects.selectors import get_project_for, projects_visible_to
from core.replica import replica_reads
from workflow.engine import traffic_light
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


class ProjectListView(APIView):
    @extend_schema(
        operation_id="command_projects_list",
        summary="重点项目列表（本人辖区）",
        responses={200: ProjectSerializer(many=True)},
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        return Response([project_data(p) for p in projects_visible_to(request.user)])


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
