"""Plausible places for the demo history's events, so the map and the wall screen show markers on
`make run`: each event gets a point inside its grid's current boundary, drawn from a generator seeded by
the event's receipt number (the same point on every run), and a duplicate report stands a few metres
from its original. Only events without a location are placed, so a second run changes nothing."""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from shapely.geometry import Point, shape
from shapely.prepared import prep

from grid.models import GridEvent
from territory.models import GridBoundary

BATCH = 500
TRIES = 200
# ~20 m in degrees at Suzhou's latitude: a repeated report of the same problem.
DUPLICATE_JITTER = 0.0002


def _grid_shapes(codes: set[str]) -> dict[str, Any]:
    rows = GridBoundary.objects.filter(grid_id__in=codes, valid_to__isnull=True).values_list(
        "grid_id", "geometry"
    )
    return {code: shape(geometry) for code, geometry in rows}


def point_in(polygon: Any, rng: random.Random) -> tuple[float, float]:
    """A uniform point inside the polygon (rejection sampling in its bounds; its representative point
    if every try misses, as for a very thin shape)."""
    west, south, east, north = polygon.bounds
    inside = prep(polygon)
    for _ in range(TRIES):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if inside.contains(Point(lon, lat)):
            return round(lon, 6), round(lat, 6)
    centre = polygon.representative_point()
    return round(centre.x, 6), round(centre.y, 6)


def near(origin: tuple[float, float], polygon: Any, rng: random.Random) -> tuple[float, float]:
    """A point a few metres from the origin and still inside the polygon (else the origin itself)."""
    for _ in range(10):
        lon = round(origin[0] + rng.uniform(-DUPLICATE_JITTER, DUPLICATE_JITTER), 6)
        lat = round(origin[1] + rng.uniform(-DUPLICATE_JITTER, DUPLICATE_JITTER), 6)
        if polygon.contains(Point(lon, lat)):
            return lon, lat
    return origin


def place_history_events() -> int:
    """Give every demo-history event without a location a point in its grid; returns how many."""
    events = list(
        GridEvent.objects.filter(attributes__demo="history", lon__isnull=True)
        .order_by("pk")
        .only("pk", "grid_id", "receipt_number", "duplicate_of_id")
    )
    shapes = _grid_shapes({e.grid_id for e in events if e.grid_id})
    placed: dict[int, tuple[float, float]] = {}
    changed = []
    for event in sorted(events, key=lambda e: e.duplicate_of_id is not None):
        rng = random.Random(event.receipt_number)  # noqa: S311 - deterministic demo data, not security
        original = placed.get(event.duplicate_of_id or 0)
        if original is not None and event.grid_id in shapes:
            lon, lat = near(original, shapes[event.grid_id], rng)
        elif event.grid_id in shapes:
            lon, lat = point_in(shapes[event.grid_id], rng)
        else:
            continue
        placed[event.pk] = (lon, lat)
        event.lon, event.lat = lon, lat
        changed.append(event)
    with transaction.atomic():
        GridEvent.objects.bulk_update(changed, ["lon", "lat"], batch_size=BATCH)
    return len(changed)


def grid_point(grid: str) -> Any:
    """A point inside the grid's current boundary (where its visits and assets are placed)."""
    boundary = GridBoundary.objects.filter(grid_id=grid, valid_to__isnull=True).order_by("-version").first()
    if boundary is None:
        raise LookupError(f"grid {grid} has no boundary")
    return shape(boundary.geometry).representative_point()
