"""The place in an event's generated title ("道路不洁（春申路88号附近）"): what the reporter wrote as the
address; else the nearest standard address of the registry (registry.Address, in the event's grid or
its village) within NEAR_METRES of the reported point, "…附近"; else the grid's name. Never a code."""

from __future__ import annotations

import math

from registry.models import Address
from territory.models import Grid

NEAR_METRES = 80.0
_METRES_PER_DEGREE = 111_320.0


def near(lon: float, lat: float) -> dict[str, tuple[float, float]]:
    """`lon__range` and `lat__range` lookups of the box NEAR_METRES around (lon, lat)."""
    d_lat = NEAR_METRES / _METRES_PER_DEGREE
    d_lon = d_lat / max(math.cos(math.radians(lat)), 0.01)
    return {"lon__range": (lon - d_lon, lon + d_lon), "lat__range": (lat - d_lat, lat + d_lat)}


def nearest_address(grid: Grid, lon: float, lat: float) -> str | None:
    """The text of the registry's standard address nearest to (lon, lat) in the grid or its village, if
    one lies within NEAR_METRES; one indexed query on the territory code and a bounding box."""
    candidates = Address.objects.filter(
        territory_code__in=(grid.code, grid.code[:12]), **near(lon, lat)
    ).values_list("text", "lon", "lat")[:200]
    best: tuple[float, str] | None = None
    for text, a_lon, a_lat in candidates:
        if a_lon is None or a_lat is None:
            continue
        dx = (a_lon - lon) * _METRES_PER_DEGREE * math.cos(math.radians(lat))
        dy = (a_lat - lat) * _METRES_PER_DEGREE
        distance = math.hypot(dx, dy)
        if distance <= NEAR_METRES and (best is None or distance < best[0]):
            best = (distance, text)
    return best[1] if best else None


def place_for_title(grid: Grid, address: str, lon: float | None, lat: float | None) -> str:
    if address:
        return address
    if lon is not None and lat is not None:
        near = nearest_address(grid, lon, lat)
        if near:
            return f"{near}附近"
    return grid.name
