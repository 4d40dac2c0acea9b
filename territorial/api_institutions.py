"""The institutions API (under /api/v1/territorial/institutions/): the town-managed stations, schools and
hospitals with their posts (编制), holders, moves and yearly evaluations; and the four writes — create a
post, fill it, move it with its duties (编随事走，人随编走), record an evaluation, assign and retire a
station's duty — through the same action functions as the pages (territorial/institutions.py,
territorial/stations.py), so both refuse the same input with the same code."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import OrgUnit
from core.errors import DomainError, NotFound
from grid.models import Category, CategoryKind, PatrolFrequency
from territorial import institutions, stations
from territorial.api import ERRORS, _date, _field, _integer, _user
from territorial.models import InstitutionEvaluation, Post, PostHolding, PostMove, StationDuty

# ---------------------------------------------------------------------------------------------- shapes


class HoldingOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    holder_name = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True, help_text="空为仍在岗")


class MoveOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    from_unit = serializers.CharField(help_text="原机构代码")
    to_unit = serializers.CharField(help_text="新机构代码")
    moved_on = serializers.DateField()
    reason = serializers.CharField()


class PostOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    org_unit_id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.CharField()
    holder = serializers.CharField(allow_null=True, help_text="现任在编人员；空编为 null")
    holdings = HoldingOut(many=True)
    moves = MoveOut(many=True)


class EvaluationOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    org_unit_id = serializers.IntegerField()
    year = serializers.IntegerField()
    grade = serializers.CharField()
    town_opinion = serializers.CharField()
    sector_opinion = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class InstitutionOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    territory_code = serializers.CharField()
    guiding_department = serializers.CharField(allow_blank=True, help_text="业务指导部门")
    posts = serializers.IntegerField(help_text="编制数")
    filled = serializers.IntegerField(help_text="在岗人数")


class DutyOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    station_id = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField(help_text="事件分类代码（该类事件派给本站）")
    frequency = serializers.CharField()
    territory_code = serializers.CharField(help_text="覆盖的镇（街道）或村（社区）")
    checkpoint = serializers.CharField(allow_blank=True)
    patrol_items = serializers.ListField(child=serializers.IntegerField(), help_text="各网格的巡查事项")
    assigned_at = serializers.DateTimeField()
    retired_at = serializers.DateTimeField(allow_null=True)


class InstitutionDetailOut(InstitutionOut):
    post_list = PostOut(many=True)
    evaluations = EvaluationOut(many=True)
    duties = DutyOut(many=True)


class DutyIn(serializers.Serializer[Any]):
    name = serializers.CharField()
    category = serializers.CharField(help_text="事件分类代码，如 0401")
    frequency = serializers.ChoiceField(choices=PatrolFrequency.choices)
    territory_code = serializers.CharField()
    checkpoint = serializers.CharField(required=False, allow_blank=True)


class PostIn(serializers.Serializer[Any]):
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=Post.Category.choices)


class HolderIn(serializers.Serializer[Any]):
    holder_name = serializers.CharField()
    started_on = serializers.DateField()


class MoveIn(serializers.Serializer[Any]):
    to_unit = serializers.IntegerField(help_text="接收机构（属地管理的站所、学校或医院）")
    moved_on = serializers.DateField()
    reason = serializers.CharField()


class EvaluationIn(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    grade = serializers.ChoiceField(choices=InstitutionEvaluation.Grade.choices)
    town_opinion = serializers.CharField()
    sector_opinion = serializers.CharField()


# ---------------------------------------------------------------------------------------------- data


def _posts(unit: OrgUnit) -> list[Post]:
    return list(
        Post.objects.filter(org_unit=unit).prefetch_related(
            Prefetch("holdings", queryset=PostHolding.objects.order_by("started_on", "pk")),
            Prefetch("moves", queryset=PostMove.objects.select_related("from_unit", "to_unit")),
        )
    )


def post_data(post: Post) -> dict[str, Any]:
    holdings = list(post.holdings.all())
    current = next((h for h in holdings if h.ended_on is None), None)
    return {
        "id": post.pk,
        "org_unit_id": post.org_unit_id,
        "title": post.title,
        "category": post.category,
        "holder": current.holder_name if current else None,
        "holdings": [
            {"id": h.pk, "holder_name": h.holder_name, "started_on": h.started_on, "ended_on": h.ended_on}
            for h in holdings
        ],
        "moves": [
            {
                "id": m.pk,
                "from_unit": m.from_unit.code,
                "to_unit": m.to_unit.code,
                "moved_on": m.moved_on,
                "reason": m.reason,
            }
            for m in post.moves.all()
        ],
    }


def evaluation_data(e: InstitutionEvaluation) -> dict[str, Any]:
    return {
        "id": e.pk,
        "org_unit_id": e.org_unit_id,
        "year": e.year,
        "grade": e.grade,
        "town_opinion": e.town_opinion,
        "sector_opinion": e.sector_opinion,
        "recorded_at": e.recorded_at,
    }


def _unit_data(unit: OrgUnit, posts: list[Post]) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "territory_code": unit.territory_code,
        "guiding_department": unit.guiding_department,
        "posts": len(posts),
        "filled": sum(1 for p in posts if any(h.ended_on is None for h in p.holdings.all())),
    }


def institution_data(unit: OrgUnit) -> dict[str, Any]:
    posts = _posts(unit)
    return {
        **_unit_data(unit, posts),
        "post_list": [post_data(p) for p in posts],
        "evaluations": [
            evaluation_data(e) for e in InstitutionEvaluation.objects.filter(org_unit=unit).order_by("-year")
        ],
        "duties": [duty_data(d) for d in _duties(unit)],
    }


def duty_data(duty: StationDuty) -> dict[str, Any]:
    return {
        "id": duty.pk,
        "station_id": duty.station_id,
        "name": duty.name,
        "category": duty.category.code,
        "frequency": duty.frequency,
        "territory_code": duty.territory_code,
        "checkpoint": duty.checkpoint,
        "patrol_items": sorted(i.pk for i in duty.patrol_items.all()),
        "assigned_at": duty.assigned_at,
        "retired_at": duty.retired_at,
    }


def _duties(unit: OrgUnit) -> list[StationDuty]:
    rows = (
        StationDuty.objects.filter(station=unit).select_related("category").prefetch_related("patrol_items")
    )
    return list(rows.order_by("retired_at", "territory_code", "name", "pk"))


def _post_of(unit: OrgUnit, post_id: int) -> Post:
    post = Post.objects.select_related("org_unit").filter(org_unit=unit, pk=post_id).first()
    if post is None:
        raise NotFound(field="post")
    return post


def _one_post(post: Post) -> dict[str, Any]:
    return post_data(next(p for p in _posts(post.org_unit) if p.pk == post.pk))


# ---------------------------------------------------------------------------------------------- views


class InstitutionsView(APIView):
    @extend_schema(
        operation_id="territorial_institutions",
        summary="属地管理的站所、学校、医院（辖区内），附编制数与在岗人数",
        responses={200: InstitutionOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        units = list(institutions.institutions(_user(request)))
        posts = Post.objects.filter(org_unit__in=units).prefetch_related("holdings")
        by_unit: dict[int, list[Post]] = {}
        for post in posts:
            by_unit.setdefault(post.org_unit_id, []).append(post)
        data = [_unit_data(u, by_unit.get(u.pk, [])) for u in units]
        return Response(InstitutionOut(data, many=True).data)


class InstitutionView(APIView):
    @extend_schema(
        operation_id="territorial_institution",
        summary="一个机构：编制、在编人员及其历史、划转记录、年度绩效考核",
        responses={200: InstitutionDetailOut, **ERRORS},
    )
    def get(self, request: Request, unit_id: int) -> Response:
        unit = institutions.institution_for(_user(request), unit_id)
        return Response(InstitutionDetailOut(institution_data(unit)).data)


class PostsView(APIView):
    @extend_schema(
        operation_id="territorial_institution_post_create",
        summary="设立编制（镇机关和领导）",
        request=PostIn,
        responses={201: PostOut, **ERRORS},
    )
    def post(self, request: Request, unit_id: int) -> Response:
        user = _user(request)
        unit = institutions.institution_for(user, unit_id)
        post = institutions.do_create_post(
            unit,
            title=_field(request, "title"),
            category=_field(request, "category"),
            actor=user,
            now=timezone.now(),
        )
        return Response(PostOut(_one_post(post)).data, status=status.HTTP_201_CREATED)


class HoldersView(APIView):
    @extend_schema(
        operation_id="territorial_institution_post_fill",
        summary="人员到岗（现任人员于到岗日离岗）",
        request=HolderIn,
        responses={201: PostOut, **ERRORS},
    )
    def post(self, request: Request, unit_id: int, post_id: int) -> Response:
        user = _user(request)
        post = _post_of(institutions.institution_for(user, unit_id), post_id)
        institutions.do_fill_post(
            post,
            holder_name=_field(request, "holder_name"),
            started_on=_date(request, "started_on"),
            actor=user,
            now=timezone.now(),
        )
        return Response(PostOut(_one_post(post)).data, status=status.HTTP_201_CREATED)


class MovesView(APIView):
    @extend_schema(
        operation_id="territorial_institution_post_move",
        summary="编制随职责划转到另一机构（编随事走，人随编走）",
        request=MoveIn,
        responses={201: PostOut, **ERRORS},
    )
    def post(self, request: Request, unit_id: int, post_id: int) -> Response:
        user = _user(request)
        post = _post_of(institutions.institution_for(user, unit_id), post_id)
        to_unit = institutions.institution_for(user, _integer(request, "to_unit"))
        institutions.do_move_post(
            post,
            to_unit=to_unit,
            moved_on=_date(request, "moved_on"),
            reason=_field(request, "reason"),
            actor=user,
            now=timezone.now(),
        )
        post.refresh_from_db()
        return Response(PostOut(_one_post(post)).data, status=status.HTTP_201_CREATED)


class EvaluationsView(APIView):
    @extend_schema(
        operation_id="territorial_institution_evaluate",
        summary="登记年度绩效考核（镇考核意见与业务指导部门意见）",
        request=EvaluationIn,
        responses={201: EvaluationOut, **ERRORS},
    )
    def post(self, request: Request, unit_id: int) -> Response:
        user = _user(request)
        unit = institutions.institution_for(user, unit_id)
        evaluation = institutions.do_record_evaluation(
            unit,
            year=_integer(request, "year"),
            grade=_field(request, "grade"),
            town_opinion=_field(request, "town_opinion"),
            sector_opinion=_field(request, "sector_opinion"),
            actor=user,
            now=timezone.now(),
        )
        return Response(EvaluationOut(evaluation_data(evaluation)).data, status=status.HTTP_201_CREATED)


class DutiesView(APIView):
    @extend_schema(
        operation_id="territorial_station_duty_assign",
        summary="登记站所职责：覆盖区域各网格增加巡查事项，该分类事件派给本站",
        request=DutyIn,
        responses={201: DutyOut, **ERRORS},
    )
    def post(self, request: Request, unit_id: int) -> Response:
        user = _user(request)
        unit = institutions.institution_for(user, unit_id)
        code = _field(request, "category")
        category = Category.objects.filter(kind=CategoryKind.EVENT, code=code).first() if code else None
        if code and category is None:
            raise DomainError(
                "unknown_category", _("未知的事件分类：%(code)s") % {"code": code}, field="category"
            )
        duty = stations.do_assign_station_duty(
            unit,
            name=_field(request, "name"),
            category=category,
            frequency=_field(request, "frequency"),
            territory_code=_field(request, "territory_code"),
            checkpoint=_field(request, "checkpoint"),
            actor=user,
            now=timezone.now(),
        )
        return Response(DutyOut(duty_data(duty)).data, status=status.HTTP_201_CREATED)


class DutyRetireView(APIView):
    @extend_schema(
        operation_id="territorial_station_duty_retire",
        summary="撤销站所职责（巡查事项停用，该分类事件不再派给本站）",
        request=None,
        responses={200: DutyOut, **ERRORS},
    )
    def post(self, request: Request, unit_id: int, duty_id: int) -> Response:
        user = _user(request)
        unit = institutions.institution_for(user, unit_id)
        duty = stations.duty_for(user, duty_id)
        if duty.station_id != unit.pk:
            raise NotFound(field="duty")
        stations.do_retire_station_duty(duty, actor=user, now=timezone.now())
        return Response(DutyOut(duty_data(stations.duty_for(user, duty_id))).data)
