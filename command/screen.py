"""The wall screen (大屏) at `/command/screen/`: a dark 1920×1080 page (static/command/screen.js) that polls
two JSON endpoints and the map layers, for a leader's jurisdiction or for a screen token's territory:
- `screen/figures/`: KPI tiles with 环比, a 14-day trend and the unit ranking by 综合指标值;
- `screen/feed/`: the newest and the newly overdue items, and the open warnings when a warnings source
  is registered (`register_warnings_source`; with none the panel stays hidden, never filled with rows).
Nothing here shows free text or personal data: a feed row is a receipt number, a category and a place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from command import indicators as ind
from command.basemap import screen_config
from command.map_api import light_of
from command.screen_access import SCREEN_AUTH, screen_scope, token_scope
from command.selectors import children, days, require_command_role, unit_scope
from command.tokens import valid_token
from core.errors import DomainError
from core.replica import replica_reads
from grid.figures.ledger import Scope
from grid.models import GridEvent
from workflow.rollups import Key

KPI_CODES = ("accepted", "filed", "closed", "closure_rate", "on_time_closure_rate", "overdue_open", "score")
TREND_CODES = ("filed", "closed")
TREND_DAYS = 14
FEED_ROWS = 12
NEW_WITHIN = timedelta(hours=24)

# A warnings source takes (territory prefix, now) and returns open warnings as dicts with at least
# "level", "title" and "raised_at"; the warnings module registers one when it is installed.
WarningsSource = Callable[[str, datetime], list[dict[str, Any]]]
_warnings_sources: list[WarningsSource] = []


def register_warnings_source(source: WarningsSource) -> None:
    if source not in _warnings_sources:
        _warnings_sources.append(source)


def open_warnings(prefix: str, now: datetime) -> list[dict[str, Any]] | None:
    """None when no source is registered (the screen hides the panel); else every source's rows."""
    if not _warnings_sources:
        return None
    return [row for source in _warnings_sources for row in source(prefix, now)]


# ------------------------------------------------------------------------------------------ page


def screen_page(request: HttpRequest) -> HttpResponse:
    """`/command/screen/?token=…` for the hall PC, or a logged-in leader/dispatcher/supervisor."""
    level, code = request.GET.get("level"), request.GET.get("code")
    key = request.GET.get("token", "")
    try:
        if key:
            token = valid_token(key, now=timezone.now())
            if token is None:
                raise DomainError("invalid_token", "大屏令牌无效、已过期或已吊销。", status=403)
            scope = token_scope(token, level, code)
        else:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_command_role(request.user)
            scope = unit_scope(request.user, level, code)
    except DomainError as error:
        return render(request, "command/screen_error.html", {"error": error}, status=error.status)
    return render(
        request, "command/screen.html", {"scope": scope, "token": key, "map_config": screen_config()}
    )


# ------------------------------------------------------------------------------------------ data


def _kpis(scope: Scope, first: Any, end: Any, tail: Counter[Key]) -> list[dict[str, Any]]:
    assert scope.prefix is not None
    found = ind.figures(scope.prefix, first, end, tail=tail, only=KPI_CODES)
    tiles = []
    for code in KPI_CODES:
        meta, figure = ind.REGISTRY[code], found[code]
        tiles.append(
            {
                "code": code,
                "name": meta.name,
                "kind": meta.kind,
                "unit": meta.unit,
                "connected": figure["connected"],
                "source": meta.source_name,
                "value": figure.get("value"),
                "mom": figure.get("mom"),
                "grade": figure.get("grade"),
            }
        )
    return tiles


def _trend(prefix: str, end: Any, tail: Counter[Key]) -> dict[str, Any]:
    found = ind.daily(prefix, end - timedelta(days=TREND_DAYS), end, tail=tail)
    return {"days": [day.isoformat() for day in found["days"]], **{code: found[code] for code in TREND_CODES}}


def _ranking(scope: Scope, first: Any, end: Any, tail: Counter[Key]) -> list[dict[str, Any]]:
    units = children(scope)
    found = ind.counts_by_unit([code for code, _ in units], first, end, tail=tail, patrols=False)
    rows = []
    for code, name in units:
        score = ind.values_of(found[code])["score"]
        rows.append({"code": code, "name": name, "score": score, "grade": ind.grade(score)})
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["code"]))
    return rows


def _head(scope: Scope, now: datetime) -> dict[str, Any]:
    return {"level": scope.level, "code": scope.code, "name": scope.name, "at": now.isoformat()}


class ScreenFiguresView(APIView):
    authentication_classes = SCREEN_AUTH["authentication_classes"]
    permission_classes = SCREEN_AUTH["permission_classes"]

    @extend_schema(
        operation_id="command_screen_figures",
        summary="大屏：指标卡、近14天趋势、下级单位综合指标值排名",
        description="For the caller's unit (or `level`/`code` inside it) over the last 30 days. Accepts "
        "a screen token (`Authorization: Screen <key>`) for the token's territory.",
        parameters=[OpenApiParameter("level", str), OpenApiParameter("code", str)],
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        scope = screen_scope(request)
        assert scope.prefix is not None
        first, end = days({})
        tail = ind.grid_tail()  # unfolded once for the tiles, the trend and the ranking
        return Response(
            {
                **_head(scope, timezone.now()),
                "from": first,
                "to": end - timedelta(days=1),
                "kpis": _kpis(scope, first, end, tail),
                "trend": _trend(scope.prefix, end, tail),
                "ranking": _ranking(scope, first, end, tail),
            }
        )


def _row(event: GridEvent, kind: str, at: datetime | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "at": (at or event.reported_at).isoformat(),
        "receipt_number": event.receipt_number,
        "category": event.category.display_name if event.category_id else "",
        "place": event.grid.name if event.grid_id else event.territory_code,
        "light": light_of(event),
    }


def feed(prefix: str, now: datetime) -> list[dict[str, Any]]:
    """The newest reports of the last 24 hours and the open items that went overdue, newest first."""
    base = GridEvent.objects.filter(territory_code__startswith=prefix).select_related(
        "work_item", "category", "grid"
    )
    new = base.filter(reported_at__gte=now - NEW_WITHIN, reported_at__lte=now).order_by("-reported_at")
    late = base.filter(work_item__overdue_at__isnull=False, work_item__closed_at__isnull=True).order_by(
        "-work_item__overdue_at"
    )
    rows = [_row(e, "new", e.reported_at) for e in new[:FEED_ROWS]]
    rows += [_row(e, "overdue", e.work_item.overdue_at if e.work_item else None) for e in late[:FEED_ROWS]]
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:FEED_ROWS]


class ScreenFeedView(APIView):
    authentication_classes = SCREEN_AUTH["authentication_classes"]
    permission_classes = SCREEN_AUTH["permission_classes"]

    @extend_schema(
        operation_id="command_screen_feed",
        summary="大屏：新上报与新超期事项动态；预警（接入预警来源后）",
        description="`warnings` is null while no warnings source is installed. Accepts a screen token.",
        parameters=[OpenApiParameter("level", str), OpenApiParameter("code", str)],
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        scope = screen_scope(request)
        assert scope.prefix is not None
        now = timezone.now()
        return Response(
            {
                **_head(scope, now),
                "feed": feed(scope.prefix, now),
                "warnings": open_warnings(scope.prefix, now),
            }
        )
