"""Duplicate candidates: open events of the same minor class reported within
`settings.GRID_DUPLICATE_RADIUS_M` metres (default 50) and `settings.GRID_DUPLICATE_WINDOW_HOURS` hours
(default 24, before or after) of an event. They are offered to the dispatcher, never merged silently:
linking is the `mark_duplicate` action.

The search is a bounding box on lon/lat in SQL (the box that contains the circle) followed by the exact
great-circle distance (haversine) in Python on the few rows the box lets through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet

from grid.models import GridEvent

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180  # ≈ 111 195 m
DEFAULT_RADIUS_M = 50.0
DEFAULT_WINDOW_HOURS = 24.0


def radius_m() -> float:
    return float(getattr(settings, "GRID_DUPLICATE_RADIUS_M", DEFAULT_RADIUS_M))


def window() -> timedelta:
    return timedelta(hours=float(getattr(settings, "GRID_DUPLICATE_WINDOW_HOURS", DEFAULT_WINDOW_HOURS)))


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BoundingBox:
    min_lon: float
    max_lon: float
    min_lat: float
    max_lat: float


def bounding_box(lon: float, lat: float, radius: float) -> BoundingBox:
    """The lon/lat box that contains every point within `radius` metres of (lon, lat)."""
    dlat = radius / METRES_PER_DEGREE_LAT
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, radius / (METRES_PER_DEGREE_LAT * cos_lat))
    return BoundingBox(lon - dlon, lon + dlon, lat - dlat, lat + dlat)


@dataclass(frozen=True)
class Candidate:
    event: GridEvent
    distance_m: float


def candidates_with_distance(event: GridEvent) -> list[Candidate]:
    """Candidates with their distance, nearest first."""
    if event.lon is None or event.lat is None or event.pk is None:
        return []
    radius = radius_m()
    box = bounding_box(event.lon, event.lat, radius)
    span = window()
    rows = (
        GridEvent.objects.filter(
            category_id=event.category_id,
            duplicate_of__isnull=True,
            work_item__closed_at__isnull=True,
            reported_at__gte=event.reported_at - span,
            reported_at__lte=event.reported_at + span,
            lon__gte=box.min_lon,
            lon__lte=box.max_lon,
            lat__gte=box.min_lat,
            lat__lte=box.max_lat,
        )
        .exclude(pk=event.pk)
        .select_related("category", "work_item", "grid")
    )
    found = []
    for row in rows:
        assert row.lon is not None and row.lat is not None
        distance = haversine_m(event.lon, event.lat, row.lon, row.lat)
        if distance <= radius:
            found.append(Candidate(row, distance))
    found.sort(key=lambda c: (c.distance_m, c.event.reported_at, c.event.pk))
    return found


def duplicate_candidates(event: GridEvent) -> QuerySet[GridEvent]:
    """The candidates as a queryset (earliest report first: the likely original)."""
    ids = [c.event.pk for c in candidates_with_distance(event)]
    return (
        GridEvent.objects.filter(pk__in=ids)
        .select_related("category", "work_item", "grid")
        .order_by("reported_at", "id")
    )
