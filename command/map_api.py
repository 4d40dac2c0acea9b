"""GET /api/v1/command/map/items.geojson: the open grid events with a location under one unit, as a
GeoJSON FeatureCollection coloured by traffic light (red: overdue, yellow: warned, green: in time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import JsonResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from command.screen_access import SCREEN_AUTH, screen_scope
from command.tokens import ScreenToken
from core.errors import DomainError
from core.replica import replica_reads
from grid.models import GridEvent

MAX_FEATURES = 5000
LIGHTS = ("red", "yellow", "green")
SCREEN_HIDDEN = ("title", "url")
# What a feature reads of an event, its work item and its category: up to MAX_FEATURES rows are built
# per request, so not every column (descriptions, JSON fields) of three models.
FEATURE_FIELDS = (
    "id",
    "receipt_number",
    "title",
    "lon",
    "lat",
    "reported_at",
    "category",
    "category__name",
    "category__name_en",
    "work_item",
    "work_item__state",
    "work_item__overdue_at",
    "work_item__warned_at",
)


def light_of(event: GridEvent) -> str:
    item = event.work_item
    if item is None:
        return "green"
    if item.overdue_at is not None:
        return "red"
    return "yellow" if item.warned_at is not None else "green"


def open_items(prefix: str) -> list[GridEvent]:
    return list(
        GridEvent.objects.filter(
            territory_code__startswith=prefix,
            lon__isnull=False,
            lat__isnull=False,
            work_item__isnull=False,
            work_item__closed_at__isnull=True,
        )
        .select_related("work_item", "category")
        .only(*FEATURE_FIELDS)
        .order_by("-reported_at")[:MAX_FEATURES]
    )


def event_urls() -> Callable[[int], str]:
    """An event's staff page from its id, the URL pattern reversed once (not once per feature)."""
    marker = 987654321
    pattern = reverse("grid:event", args=[marker])
    return lambda pk: pattern.replace(str(marker), str(pk))


def feature(event: GridEvent, url_of: Callable[[int], str] | None = None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [event.lon, event.lat]},
        "properties": {
            "id": event.pk,
            "receipt_number": event.receipt_number,
            "title": event.title,
            "category": event.category.display_name if event.category_id else "",
            "state": event.work_item.state if event.work_item else "",
            "light": light_of(event),
            "reported_at": event.reported_at.isoformat(),
            "url": (url_of or event_urls())(event.pk),
        },
    }


class MapItemsView(APIView):
    authentication_classes = SCREEN_AUTH["authentication_classes"]
    permission_classes = SCREEN_AUTH["permission_classes"]

    @extend_schema(
        operation_id="command_map_items",
        summary="一图：在办事项（按红黄绿灯着色）",
        parameters=[
            OpenApiParameter("level", str, enum=["grid", "village", "town", "district"]),
            OpenApiParameter("code", str),
            OpenApiParameter("light", str, enum=list(LIGHTS), description="只看某一灯色"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> JsonResponse:
        scope = screen_scope(request)
        light = request.query_params.get("light", "")
        if light and light not in LIGHTS:
            raise DomainError("invalid", "灯色应为 red / yellow / green。", field="light")
        assert scope.prefix is not None
        url_of = event_urls()
        features = [feature(e, url_of) for e in open_items(scope.prefix)]
        if isinstance(request.auth, ScreenToken):
            # The hall screen shows no free text and links to no staff page.
            for f in features:
                f["properties"] = {k: v for k, v in f["properties"].items() if k not in SCREEN_HIDDEN}
        if light:
            features = [f for f in features if f["properties"]["light"] == light]
        return JsonResponse(
            {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
        )
