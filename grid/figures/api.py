"""GET /api/v1/grid/figures/: the grid-governance figures of one grid, village, town, district or agency
over a period (definitions in grid/figures/ledger.py). Parse → access (figures_for scopes) → render."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.replica import replica_reads
from grid.figures.ledger import CLOSURE_LEVELS, LEVELS, figures_for

DEFAULT_DAYS = 30


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def parse_bound(value: str | None, name: str, *, end: bool) -> datetime | None:
    """An ISO 8601 datetime with offset, or a date (local, Asia/Shanghai): `from` = its 00:00, `to` =
    the end of that day (the date is included). A datetime without offset is refused."""
    if value is None or value == "":
        return None
    moment = parse_datetime(value) if "T" in value or " " in value else None
    if moment is not None:
        if timezone.is_naive(moment):
            raise DomainError("invalid", "时间须带时区（如 +08:00），或只写日期。", field=name)
        return moment
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise DomainError("invalid", "日期格式应为 YYYY-MM-DD 或 ISO 8601 时间。", field=name)
    return _local_midnight(day + timedelta(days=1) if end else day)


def period(params: Any, now: datetime) -> tuple[datetime, datetime]:
    """[from, to) from the query; defaults: to = the end of today (local), from = 30 days before `to`."""
    end = parse_bound(params.get("to"), "to", end=True) or _local_midnight(
        timezone.localtime(now).date() + timedelta(days=1)
    )
    start = parse_bound(params.get("from"), "from", end=False) or end - timedelta(days=DEFAULT_DAYS)
    if end <= start:
        raise DomainError("invalid", "结束时间须晚于开始时间。", field="to")
    if end - start > timedelta(days=366 * 3):
        raise DomainError("invalid", "统计区间最长三年。", field="from")
    return start, end


class RatesOut(serializers.Serializer):
    valid_rate = serializers.FloatField(allow_null=True, help_text="有效上报率 = valid / reported")
    timely_dispatch_rate = serializers.FloatField(allow_null=True, help_text="及时派遣率")
    on_time_closure_rate = serializers.FloatField(
        allow_null=True, help_text="按期结案率 = 按期结案数 / (应结案数 − 缓办数)"
    )
    closure_rate = serializers.FloatField(allow_null=True, help_text="结案率 = 结案数 / (应结案数 − 缓办数)")
    rework_rate = serializers.FloatField(allow_null=True, help_text="返工率 = 核查不通过 / 核查次数")
    extension_rate = serializers.FloatField(allow_null=True, help_text="延期率 = 结案中经批准延期的 / 结案数")
    satisfaction_share = serializers.FloatField(allow_null=True, help_text="满意率（4–5 分）")
    patrol_coverage = serializers.FloatField(allow_null=True, help_text="巡查覆盖率 = 已打卡 / 应打卡")


class LevelCountsOut(serializers.Serializer):
    grid = serializers.IntegerField()
    village = serializers.IntegerField()
    town = serializers.IntegerField()
    district = serializers.IntegerField()


class LevelSharesOut(serializers.Serializer):
    grid = serializers.FloatField(allow_null=True)
    village = serializers.FloatField(allow_null=True)
    town = serializers.FloatField(allow_null=True)
    district = serializers.FloatField(allow_null=True)


class FiguresOut(serializers.Serializer):
    level = serializers.ChoiceField(choices=LEVELS)
    code = serializers.CharField()
    name = serializers.CharField()
    from_ = serializers.DateTimeField()
    to = serializers.DateTimeField()
    reported = serializers.IntegerField(help_text="上报数")
    valid = serializers.IntegerField(help_text="有效上报数（立案或自行处置）")
    filed = serializers.IntegerField(help_text="立案数")
    resident_reports = serializers.IntegerField(help_text="群众反映数（网上、Open311、热线）")
    missed_reports = serializers.IntegerField(help_text="漏报数：群众先于巡查反映的")
    missed_window_hours = serializers.IntegerField(help_text="漏报判定的时间窗（小时）")
    dispatches = serializers.IntegerField(help_text="派遣次数")
    dispatched_on_time = serializers.IntegerField(help_text="及时派遣次数")
    send_backs = serializers.IntegerField(help_text="退回次数")
    wrong_dispatches = serializers.IntegerField(help_text="错误派遣数（退回后改派他单位）")
    whistles = serializers.IntegerField(help_text="吹哨次数")
    late_sign_ins = serializers.IntegerField(help_text="报到（签收）超时督办次数")
    verifications = serializers.IntegerField(help_text="核查次数")
    reworks = serializers.IntegerField(help_text="返工次数（核查不通过）")
    closed = serializers.IntegerField(help_text="结案数")
    closed_on_time = serializers.IntegerField(help_text="按期结案数（无超期记录）")
    extended = serializers.IntegerField(help_text="结案中经批准延期的")
    closure_levels = LevelCountsOut(help_text="结案层级：小事不出格、大事不出村、难事不出镇")
    closure_level_share = LevelSharesOut()
    due = serializers.IntegerField(help_text="应结案数")
    deferred = serializers.IntegerField(help_text="缓办数（挂账或延期）")
    due_closed = serializers.IntegerField(help_text="应结案中已结案（不含缓办）")
    due_closed_on_time = serializers.IntegerField(help_text="应结案中按期结案（不含缓办）")
    ratings = serializers.IntegerField(help_text="评价数")
    rating_mean = serializers.FloatField(allow_null=True, help_text="平均评分（1–5）")
    satisfied = serializers.IntegerField(help_text="满意（4–5 分）评价数")
    patrol_done = serializers.IntegerField(allow_null=True, help_text="巡查已打卡（机构层级为空）")
    patrol_due = serializers.IntegerField(allow_null=True, help_text="巡查应打卡")
    rates = RatesOut()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class FiguresView(APIView):
    @extend_schema(
        operation_id="grid_figures",
        summary="网格治理考核指标（网格、村、镇、区或机构，某时段）",
        description=(
            "Figures over [from, to) of one grid / village / town / district or one org unit (agency). "
            "Definitions: grid/figures/ledger.py. `from`/`to` are dates (local; `to` included) or ISO 8601 "
            f"datetimes with offset; default the last {DEFAULT_DAYS} days. Codes outside the caller's "
            "jurisdiction are 404."
        ),
        parameters=[
            OpenApiParameter("level", str, enum=list(LEVELS), required=True, description="层级"),
            OpenApiParameter("code", str, required=True, description="区划/网格代码，或机构编码"),
            OpenApiParameter("from", str, description="开始（含），YYYY-MM-DD 或 ISO 8601"),
            OpenApiParameter("to", str, description="结束（日期则含当日），YYYY-MM-DD 或 ISO 8601"),
        ],
        responses=FiguresOut,
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        params = request.query_params
        level = params.get("level", "")
        if level not in LEVELS:
            raise DomainError("invalid", f"层级应为 {' / '.join(LEVELS)} 之一。", field="level")
        start, end = period(params, timezone.now())
        figures = figures_for(request.user, level, params.get("code", ""), start, end)
        data = figures.as_dict()
        data["closure_levels"] = {lvl: data["closure_levels"].get(lvl, 0) for lvl in CLOSURE_LEVELS}
        return Response(FiguresOut(data).data)
