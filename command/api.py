"""/api/v1/command/: the indicator catalogue, figures (with 同比/环比, a daily trend or a ranking of the
units one level down) and the items behind a figure. Parse → access (role, jurisdiction: 404 outside)
→ compute over the rollup (command/indicators.py) → render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from command import indicators as ind
from command import streams
from command.cuts import STREAMS, parse_cut
from command.selectors import children, days, require_command_role, unit_scope
from core.errors import DomainError
from core.replica import replica_reads
from grid.models import EventChannel

MAX_TREND_DAYS = 92
UNIT_PARAMS = [
    OpenApiParameter(
        "level", str, enum=["grid", "village", "town", "district"], description="层级（缺省：本人辖区）"
    ),
    OpenApiParameter("code", str, description="区划/网格代码"),
    OpenApiParameter("from", str, description="开始日期（含），YYYY-MM-DD；缺省为 30 天前"),
    OpenApiParameter("to", str, description="结束日期（含），YYYY-MM-DD；缺省为今天"),
]


CUT_PARAMS = [
    OpenApiParameter("stream", str, enum=list(STREAMS), description="条线：只看该条线的指标"),
    OpenApiParameter(
        "category",
        str,
        description="事部件分类：event:0102（小类）或 event:01（大类及其小类）；仅网格治理指标",
    ),
    OpenApiParameter("source", str, enum=list(EventChannel.values), description="来源渠道；仅网格治理指标"),
    OpenApiParameter(
        "unit",
        str,
        description="责任单位（机构编码）：只计该单位经办（或办结）的事项；网格治理与审批、执法台账指标",
    ),
]


def _catalogue_row(i: ind.Indicator) -> dict[str, Any]:
    return {
        "code": i.code,
        "zh": i.zh,
        "en": i.en,
        "unit": i.unit,
        "kind": i.kind,
        "formula": i.formula,
        "definition": i.definition,
        "definition_en": i.definition_en,
        "dimensions": list(i.dimensions),
        "source": i.source_name,
        "connected": i.connected,
    }


def _indicator_param(params: Any, *, required: bool) -> ind.Indicator | None:
    code = params.get("indicator", "")
    if not code:
        if required:
            raise DomainError("required", "请指定指标。", field="indicator")
        return None
    found = ind.indicator(code)
    if found is None:
        raise DomainError("invalid", f"未知指标：{code}", field="indicator")
    return found


class IndicatorsView(APIView):
    @extend_schema(operation_id="command_indicators", summary="指标目录", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        require_command_role(request.user)
        return Response({"indicators": [_catalogue_row(i) for i in ind.REGISTRY.values()]})


class FiguresView(APIView):
    @extend_schema(
        operation_id="command_figures",
        summary="指挥中心指标值（含同比、环比、趋势、排名）",
        description=(
            "Every indicator (or `indicator`) of one unit over whole local days, from the ledger rollup, "
            "with 环比 (previous period) and 同比 (a year before). group_by=day: the daily series of the "
            "indicator (≤ 92 days); group_by=unit: the units one level down ranked by it, with their "
            "综合指标值 and grade. Units outside the caller's jurisdiction are 404. Cuts: `stream` keeps "
            "one stream's indicators; `category`, `source` and `unit` keep the items of a class, a "
            "channel or a handling org unit, and the answer lists the indicators that can be cut so (each "
            "indicator's `dimensions` in indicators/); asking for one that cannot is a 400 naming the "
            "parameter; an org unit unrelated to the caller's jurisdiction is 404."
        ),
        parameters=[
            *UNIT_PARAMS,
            OpenApiParameter("indicator", str, description="指标代码（见 indicators/）"),
            OpenApiParameter("group_by", str, enum=["day", "unit"], description="按日趋势或下级单位排名"),
            *CUT_PARAMS,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        require_command_role(request.user)
        params = request.query_params
        group_by = params.get("group_by", "")
        if group_by not in ("", "day", "unit"):
            raise DomainError("invalid", "group_by 应为 day 或 unit。", field="group_by")
        chosen = _indicator_param(params, required=bool(group_by))
        scope = unit_scope(request.user, params.get("level"), params.get("code"))
        first, end = days(params)
        cut = parse_cut(request.user, params)
        ind.check_cut(chosen, cut)
        assert scope.prefix is not None
        head = {
            "level": scope.level,
            "code": scope.code,
            "name": scope.name,
            "from": first,
            "to": end - timedelta(days=1),
            "cut": cut.as_params(),
        }
        if chosen is not None and not chosen.connected:
            return Response(
                {**head, "indicator": chosen.code, "connected": False, "source": chosen.source_name}
            )
        if group_by == "day":
            if (end - first).days > MAX_TREND_DAYS:
                raise DomainError("invalid", f"按日趋势最长 {MAX_TREND_DAYS} 天。", field="from")
            assert chosen is not None
            series = []
            day = first
            while day < end:
                series.append(
                    {
                        "day": day,
                        "value": ind.unit_values(
                            chosen.code, scope.prefix, day, day + timedelta(days=1), cut
                        )[chosen.code],
                    }
                )
                day += timedelta(days=1)
            return Response({**head, "indicator": chosen.code, "series": series})
        if group_by == "unit":
            assert chosen is not None
            rows = []
            for code, name in children(scope):
                values = ind.unit_values(chosen.code, code, first, end, cut)
                rows.append(
                    {
                        "code": code,
                        "name": name,
                        "value": values[chosen.code],
                        "score": values["score"],
                        "grade": ind.grade(values["score"]),
                    }
                )
            rows.sort(
                key=lambda r: (
                    r["value"] is None,
                    -(r["value"] if isinstance(r["value"], int | float) else 0),
                    r["code"],
                )
            )
            return Response({**head, "indicator": chosen.code, "units": rows})
        found = ind.figures(scope.prefix, first, end, only=(chosen.code,) if chosen else None, cut=cut)
        return Response({**head, "indicators": found})


class FigureItemsView(APIView):
    @extend_schema(
        operation_id="command_figure_items",
        summary="指标下钻：构成该数字的事项",
        description=(
            "The items behind a count indicator's figure: `count` equals the figure; `items` lists the "
            f"first {streams.DRILL_LIMIT} of them (`truncated` says when there are more). The cuts of "
            "figures/ apply: the items of the cut figure."
        ),
        parameters=[
            *UNIT_PARAMS,
            OpenApiParameter("indicator", str, required=True, enum=streams.drillable()),
            *CUT_PARAMS,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        require_command_role(request.user)
        params = request.query_params
        chosen = _indicator_param(params, required=True)
        assert chosen is not None
        drillable = streams.drillable()
        if chosen.code not in drillable:
            raise DomainError("invalid", f"可下钻的指标：{'、'.join(drillable)}。", field="indicator")
        scope = unit_scope(request.user, params.get("level"), params.get("code"))
        first, end = days(params)
        cut = parse_cut(request.user, params)
        ind.check_cut(chosen, cut)
        assert scope.prefix is not None
        found = streams.drill(chosen.code, scope.prefix, first, end, cut=cut)
        return Response(
            {
                "indicator": chosen.code,
                "level": scope.level,
                "code": scope.code,
                "cut": cut.as_params(),
                "count": found.total,
                "truncated": found.truncated,
                "items": found.rows,
            }
        )
