"""The command map's layers of open enforcement cases and approvals applications (一图), beside the grid
events of command/map_api.py: `cases.geojson` and `applications.geojson` under one unit; and the key
places (重点场所) with where their inspections stand (`places.geojson`, below). Each open item
carries the engine's traffic light of its current step (workflow.engine.traffic_light: < 80 % of the
limit green, 80–100 % yellow, beyond red; a step without a limit is green) and stands at its own place —
a case's 违法地点 when it was recorded — or else at the place of the territory it belongs to (the grid's
outline, the division's seat or outline: `approximate`; an application never has a place of its own).
An item whose territory has no place either is counted in `unplaced`, not drawn.

A feature holds what its card shows and nothing personal: the number, the matter or service item, the
state, the light, the handling unit, the step's deadline and the place — never the party, the applicant
or free text. Command-centre staff only (not the screen token), scoped by jurisdiction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView
from shapely.geometry import shape

from approvals.models import Application
from command.map_api import LIGHTS, MAX_FEATURES
from command.selectors import require_command_role, unit_scope
from core.errors import DomainError
from core.replica import replica_reads
from enforcement.models import Case
from grid.patrols.key_places import Inspection, PlaceInspection, place_inspections
from territory.models import Division, GridBoundary
from territory.refs import territory_names
from workflow.deadlines import traffic_light
from workflow.english import state_title
from workflow.listing import attach_item_references
from workflow.models import WorkItem

GRID_CODE_LENGTH = 15
Place = tuple[float, float]


def places(codes: Iterable[str]) -> dict[str, Place]:
    """(lon, lat) of each territory code that has a place: a grid's current outline (a point inside it),
    a division's seat, else a point inside its outline. One query per table."""
    codes = set(codes)
    out: dict[str, Place] = {}
    grids = [c for c in codes if len(c) == GRID_CODE_LENGTH]
    for code, geometry in GridBoundary.objects.filter(grid_id__in=grids, valid_to__isnull=True).values_list(
        "grid_id", "geometry"
    ):
        point = shape(geometry).representative_point()
        out[code] = (round(point.x, 6), round(point.y, 6))
    divisions = Division.objects.filter(code__in=[c for c in codes if len(c) < GRID_CODE_LENGTH])
    for code, lon, lat, boundary in divisions.values_list("code", "seat_lon", "seat_lat", "boundary"):
        if lon is not None and lat is not None:
            out[code] = (lon, lat)
        elif boundary:
            point = shape(boundary).representative_point()
            out[code] = (round(point.x, 6), round(point.y, 6))
    return out


def light_of(item: WorkItem, now: datetime) -> str:
    return traffic_light(item, now) or "green"


def _state_title(item: WorkItem) -> str:
    definition = item.process_version.definition if item.process_version_id else {}
    title = (definition.get("states", {}).get(item.state) or {}).get("title") or item.state
    return state_title(item.process_name, item.state, str(title))


def _feature(
    layer: str, pk: int, item: WorkItem, own: Place | None, where: str, found: dict[str, Place], **shown: Any
) -> dict[str, Any] | None:
    place = own or found.get(where)
    if place is None:
        return None
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place[0], place[1]]},
        "properties": {
            "id": pk,
            "layer": layer,
            **shown,
            "state": item.state,
            "state_title": _state_title(item),
            "unit": item.assigned_unit.name if item.assigned_unit else "",
            "due_at": item.step_due_at.isoformat() if item.step_due_at else None,
            "approximate": own is None,
        },
    }


def _open(queryset: QuerySet[Any], prefix: str) -> list[Any]:
    rows = list(
        queryset.filter(
            territory_code__startswith=prefix, work_item__isnull=False, work_item__closed_at__isnull=True
        ).order_by("-work_item__created_at", "-pk")[:MAX_FEATURES]
    )
    attach_item_references([row.work_item for row in rows])
    return rows


def case_features(prefix: str, now: datetime) -> tuple[list[dict[str, Any]], int]:
    """The open cases under the prefix as features, and how many have no place to stand."""
    cases = _open(Case.objects.select_related("matter", "work_item"), prefix)
    codes = [c.territory_code for c in cases]
    found, names = places(codes), territory_names(codes)
    features = []
    for case in cases:
        item = case.work_item
        own = (case.lon, case.lat) if case.lon is not None and case.lat is not None else None
        feature = _feature(
            "case",
            case.pk,
            item,
            own,
            case.territory_code,
            found,
            number=case.number or f"#{case.pk}",
            title=case.matter.name,
            light=light_of(item, now),
            place=names.get(case.territory_code, case.territory_code),
            url=reverse("enforcement:case", args=[case.pk]),
        )
        if feature is not None:
            features.append(feature)
    return features, len(cases) - len(features)


def application_features(prefix: str, now: datetime) -> tuple[list[dict[str, Any]], int]:
    """The open applications under the prefix as features (at their territory's place), and how many
    have no place to stand."""
    applications = _open(Application.objects.select_related("item", "work_item"), prefix)
    codes = [a.territory_code for a in applications]
    found, names = places(codes), territory_names(codes)
    features = []
    for application in applications:
        item = application.work_item
        feature = _feature(
            "application",
            application.pk,
            item,
            None,
            application.territory_code,
            found,
            number=application.receipt_no,
            title=application.item.name,
            light=light_of(item, now),
            place=names.get(application.territory_code, application.territory_code),
            url=reverse("approvals:application", args=[application.pk]),
        )
        if feature is not None:
            features.append(feature)
    return features, len(applications) - len(features)


LAYER_PARAMS = [
    OpenApiParameter("level", str, enum=["grid", "village", "town", "district"]),
    OpenApiParameter("code", str),
    OpenApiParameter("light", str, enum=list(LIGHTS), description="只看某一灯色"),
]
Reader = Callable[[str, datetime], tuple[list[dict[str, Any]], int]]


def _answer(request: Request, layer: str, read: Reader) -> JsonResponse:
    """Parse → access (command roles; the unit inside the jurisdiction, else 404) → read → GeoJSON."""
    require_command_role(request.user)
    scope = unit_scope(request.user, request.query_params.get("level"), request.query_params.get("code"))
    light = request.query_params.get("light", "")
    if light and light not in LIGHTS:
        raise DomainError("invalid", _("灯色应为 red / yellow / green。"), field="light")
    assert scope.prefix is not None
    features, unplaced = read(scope.prefix, timezone.now())
    if light:
        features = [f for f in features if f["properties"]["light"] == light]
    return JsonResponse(
        {"type": "FeatureCollection", "layer": layer, "unplaced": unplaced, "features": features},
        content_type="application/geo+json",
    )


class MapCasesView(APIView):
    @extend_schema(
        operation_id="command_map_cases",
        summary="一图：在办执法案件（按办理环节时限红黄绿灯着色）",
        description="Open enforcement cases under the unit, at the place of the violation, else at their "
        "territory's place (`approximate`); `unplaced` counts those with neither. No party data.",
        parameters=LAYER_PARAMS,
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> JsonResponse:
        return _answer(request, "case", case_features)


class MapApplicationsView(APIView):
    @extend_schema(
        operation_id="command_map_applications",
        summary="一图：在办审批办件（按办理环节时限红黄绿灯着色）",
        description="Open applications under the unit, at their territory's place (`approximate`: an "
        "application has no address of its own); `unplaced` counts those whose territory has no place. "
        "No applicant data.",
        parameters=LAYER_PARAMS,
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> JsonResponse:
        return _answer(request, "application", application_features)


# A key place's light: inspected in the current period green, inspected only in the previous one yellow
# (falling due), not in the previous period either (or never) red.
PLACE_LIGHTS = {Inspection.INSPECTED: "green", Inspection.DUE: "yellow", Inspection.MISSED: "red"}


def _place_url(found: PlaceInspection) -> str:
    place = found.place
    if place.entity_id is not None:
        return reverse("registry:entity", args=[place.entity_id])
    if place.building_id is not None:
        return reverse("registry:building", args=[place.building_id])
    return ""


def place_features(prefix: str, now: datetime) -> tuple[list[dict[str, Any]], int]:
    """The key places under the prefix as features — at their address's point, else at their grid's place
    (`approximate`) — coloured by their inspections (grid.patrols.key_places.place_inspections), and how
    many have no place to stand. A place's name and kind are not personal data; no owner or contact is
    given."""
    found = place_inspections(prefix, now)
    codes = [f.place.territory_code for f in found]
    grid_places, names = places(codes), territory_names(codes)
    features = []
    for inspection in found:
        place = inspection.place
        point = inspection.point or grid_places.get(place.territory_code)
        if point is None:
            continue
        checked = inspection.last_checked
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [point[0], point[1]]},
                "properties": {
                    "id": place.pk,
                    "layer": "place",
                    "name": place.name,
                    "kind": place.kind,
                    "kind_title": place.get_kind_display(),
                    "inspection_days": place.inspection_days,
                    "status": inspection.status,
                    "light": PLACE_LIGHTS[inspection.status],
                    "period_start": inspection.period_start.isoformat(),
                    "last_checked": timezone.localtime(checked).date().isoformat() if checked else None,
                    "place": names.get(place.territory_code, place.territory_code),
                    "approximate": inspection.point is None,
                    "url": _place_url(inspection),
                },
            }
        )
    return features, len(found) - len(features)


class MapPlacesView(APIView):
    @extend_schema(
        operation_id="command_map_places",
        summary="一图：重点场所（按巡查情况红黄绿灯着色）",
        description="Key places under the unit at their address, else at their grid's place "
        "(`approximate`): green when inspected in the current period of their inspection frequency, "
        "yellow when inspected only in the previous period, red when not then either (or never). "
        "`unplaced` counts those with no place. No owner or contact data.",
        parameters=LAYER_PARAMS,
        responses=OpenApiTypes.OBJECT,
    )
    @replica_reads
    def get(self, request: Request) -> JsonResponse:
        return _answer(request, "place", place_features)
