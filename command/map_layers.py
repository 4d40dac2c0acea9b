"""GeoJSON layers of the one map (一图), shared by `/command/map/` and the wall screen:
- `grids.geojson`: the unit's grids coloured by one indicator (a choropleth), each grid's value computed
  from the ledger rollup exactly as the desk's figures are (command/indicators.py);
- `heat.geojson`: where events were reported in the period, as weighted points for leaflet.heat
  (reports within ~100 m merged into one point, so the answer stays small).
The open items (clustered on the client) are `items.geojson` in command/map_api.py. Staff read by role
and jurisdiction; a screen token reads its own territory only (command/screen_access.py)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import Any

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from command import indicators as ind
from command.api import UNIT_PARAMS
from command.screen_access import SCREEN_AUTH, screen_scope
from command.selectors import days
from core.errors import DomainError
from core.replica import replica_reads
from grid.models import GridEvent
from territory.selectors import grids_collection

CHOROPLETH_KINDS = ("count", "rate", "score")
DEFAULT_INDICATOR = "score"
# Most recent reports read for the heat layer; ~3 decimal places of a degree is ~100 m in Suzhou.
MAX_HEAT_REPORTS = 20000
HEAT_DECIMALS = 3
# Each grid's value is one rollup read (~17 queries, ~25 ms on SQLite): colour a town's grids, not a
# whole district's at once.
MAX_COLOURED_GRIDS = 150


def _geojson(features: list[dict[str, Any]], **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"type": "FeatureCollection", **extra, "features": features}, content_type="application/geo+json"
    )


def choropleth_choices() -> list[tuple[str, str]]:
    """(code, name in the session's language) of the connected indicators a grid can be coloured by,
    综合指标值 first."""
    rows = [i for i in ind.REGISTRY.values() if i.kind in CHOROPLETH_KINDS and i.connected]
    return [(i.code, i.name) for i in sorted(rows, key=lambda i: i.code != DEFAULT_INDICATOR)]


def choropleth_indicator(code: str | None) -> ind.Indicator:
    chosen = ind.indicator(code or DEFAULT_INDICATOR)
    if chosen is None or chosen.kind not in CHOROPLETH_KINDS:
        allowed = sorted(c for c, i in ind.REGISTRY.items() if i.kind in CHOROPLETH_KINDS)
        raise DomainError(
            "invalid", _("可着色的指标：%(codes)s。") % {"codes": "、".join(allowed)}, field="indicator"
        )
    return chosen


def grid_values(prefix: str, code: str, first: date, end: date) -> tuple[list[dict[str, Any]], bool]:
    """The prefix's grid features, each with the indicator's value over [first, end), and whether they
    were coloured: a unit with more than MAX_COLOURED_GRIDS grids gets its outlines only."""
    chosen = choropleth_indicator(code)
    features = grids_collection([prefix])["features"]
    coloured = chosen.connected and len(features) <= MAX_COLOURED_GRIDS
    # Every grid's counts in a few grouped reads (not four per grid): equal to `ind.counts(code, …)`.
    codes = [f["properties"]["code"] for f in features]
    found = (
        ind.counts_by_unit(codes, first, end, patrols=chosen.code == "patrol_coverage") if coloured else {}
    )
    for f in features:
        value = ind.values_of(found[f["properties"]["code"]])[chosen.code] if coloured else None
        f["properties"]["value"] = value
        if chosen.kind == "score":
            f["properties"]["grade"] = ind.grade(value)
    return features, coloured


def heat_points(prefix: str, first: date, end: date) -> list[dict[str, Any]]:
    start = timezone.make_aware(datetime.combine(first, time.min))
    stop = timezone.make_aware(datetime.combine(end, time.min))
    rows = (
        GridEvent.objects.filter(
            territory_code__startswith=prefix,
            reported_at__gte=start,
            reported_at__lt=stop,
            lon__isnull=False,
            lat__isnull=False,
        )
        .order_by("-reported_at")
        .values_list("lon", "lat")[:MAX_HEAT_REPORTS]
    )
    cells: Counter[tuple[float, float]] = Counter(
        (round(lon, HEAT_DECIMALS), round(lat, HEAT_DECIMALS))
        for lon, lat in rows
        if lon is not None and lat is not None  # filtered above; narrows the type
    )
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"weight": n},
        }
        for (lon, lat), n in sorted(cells.items())
    ]


class MapGridsView(APIView):
    authentication_classes = SCREEN_AUTH["authentication_classes"]
    permission_classes = SCREEN_AUTH["permission_classes"]

    @extend_schema(
        operation_id="command_map_grids",
        summary="一图：网格按指标着色（分级设色）",
        description="The unit's current grid outlines, each with `value` of the chosen indicator over the "
        "period (from the ledger rollup) and, for 综合指标值, its grade. A unit of more than 150 grids "
        "(a district) gets outlines only (`coloured`: false): choose a town. Accepts a screen token.",
        parameters=[
            *UNIT_PARAMS,
            OpenApiParameter("indicator", str, description="计数、比率或综合指标值（缺省 score）"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> JsonResponse:
        chosen = choropleth_indicator(request.query_params.get("indicator"))
        scope = screen_scope(request)
        first, end = days(request.query_params)
        assert scope.prefix is not None
        features, coloured = grid_values(scope.prefix, chosen.code, first, end)
        return _geojson(
            features,
            indicator={"code": chosen.code, "zh": chosen.zh, "kind": chosen.kind, "unit": chosen.unit},
            connected=chosen.connected,
            coloured=coloured,
        )


class MapHeatView(APIView):
    authentication_classes = SCREEN_AUTH["authentication_classes"]
    permission_classes = SCREEN_AUTH["permission_classes"]

    @extend_schema(
        operation_id="command_map_heat",
        summary="一图：事件热力（上报位置，约百米合并，weight 为件数）",
        parameters=UNIT_PARAMS,
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> JsonResponse:
        scope = screen_scope(request)
        first, end = days(request.query_params)
        assert scope.prefix is not None
        return _geojson(heat_points(scope.prefix, first, end))
