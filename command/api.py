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
from command.drilldown import PREDICATES
from command.selectors import children, days, require_command_role, unit_scope
from core.errors import DomainError
from core.replica import replica_reads

MAX_TREND_DAYS = 92
UNIT_PARAMS = [
    OpenApiParameter(
        "level", str, enum=["grid", "village", "town", "district"], description="层级（缺省：本人辖区）"
    ),
    OpenApiParameter("code", str, description="区划/网格代码"),
    OpenApiParameter("from", str, description="开始日期（含），YYYY-MM-DD；缺省为 30 天前"),
    OpenApiParameter("to", str, description="结束日期（含），YYYY-MM-DD；缺省为今天"),
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
            "综合指标值 and grade. Units outside the caller's jurisdiction are 404."
        ),
        parameters=[
            *UNIT_PARAMS,
            OpenApiParameter("indicator", str, description="指标代码（见 indicators/）"),
            OpenApiParameter("group_by", str, enum=["day", "unit"], description="按日趋势或下级单位排名"),
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
        assert scope.prefix is not None
        head = {
            "level": scope.level,
            "code": scope.code,
            "name": scope.name,
            "from": first,
            "to": end - timedelta(days=1),
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
                        "value": ind.unit_values(chosen.code, scope.prefix, day, day + timedelta(days=1))[
                            chosen.code
                        ],
                    }
                )
                day += timedelta(days=1)
            return Response({**head, "indicator": chosen.code, "series": series})
        if group_by == "unit":
            assert chosen is not None
            rows = []
            for code, name in children(scope):
                values = ind.unit_values(chosen.code, code, first, end)
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
        found = ind.figures(scope.prefix, first, end)
        if chosen is not None:
            found = {chosen.code: found[chosen.code]}
        return Response({**head, "indicators": found})


class FigureItemsView(APIView):
    @extend_schema(
        operation_id="command_figure_items",
        summary="指标下钻：构成该数字的事项",
        description=(
            "The items behind a count indicator's figure: `count` equals the figure; `items` lists the "
            f"first {streams.DRILL_LIMIT} of them (`truncated` says when there are more)."
        ),
        parameters=[
            *UNIT_PARAMS,
            OpenApiParameter("indicator", str, required=True, enum=[*sorted(PREDICATES), *streams.DRILLABLE]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        require_command_role(request.user)
        params = request.query_params
        chosen = _indicator_param(params, required=True)
        assert chosen is not None
        if chosen.code not in PREDICATES and chosen.code not in streams.DRILLABLE:
            drillable = [*sorted(PREDICATES), *streams.DRILLABLE]
            raise DomainError("invalid", f"可下钻的指标：{'、'.join(drillable)}。", field="indicator")
        scope = unit_scope(request.user, params.get("level"), params.get("code"))
        first, end = days(params)
        assert scope.prefix is not None
        found = streams.drill(chosen.code, scope.prefix, first, end)
        return Response(
            {
                "indicator": chosen.code,
                "level": scope.level,
                "code": scope.code,
                "count": found.total,
                "truncated": found.truncated,
                "items": found.rows,
            }
        )
