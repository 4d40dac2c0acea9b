"""Repeated reports at one place: COMMAND_WARN_PLACE_COUNT reports or more within
COMMAND_WARN_PLACE_RADIUS_M metres in the last COMMAND_WARN_PLACE_DAYS days."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from grid.events.duplicates import METRES_PER_DEGREE_LAT, haversine_m
from grid.models import GridEvent

from ..models import EarlyWarning, Level, Rule
from .base import Finding, Holds, Owners, RuleFn


def _cells(points: Sequence[dict[str, Any]], size_m: float) -> dict[tuple[int, int], list[int]]:
    """Index of points by a square cell of `size_m` (so neighbours within size_m are in the 3 × 3 cells
    around a point's own)."""
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, p in enumerate(points):
        cells[_cell(p, size_m)].append(index)
    return cells


def _cell(p: dict[str, Any], size_m: float) -> tuple[int, int]:
    cos_lat = max(math.cos(math.radians(p["lat"])), 1e-6)
    return (
        math.floor(p["lat"] * METRES_PER_DEGREE_LAT / size_m),
        math.floor(p["lon"] * METRES_PER_DEGREE_LAT * cos_lat / size_m),
    )


def repeated_places(now: datetime, owners: Owners) -> Iterator[Finding | Holds]:
    """Greedy clusters, oldest report first: a report with at least N − 1 unclustered neighbours within
    R metres forms a cluster with them. A warned cluster holds while N of its reports are still in the
    window (not voided); a new cluster that shares a report with a holding one is that warning's
    situation, not a new one."""
    count = int(settings.COMMAND_WARN_PLACE_COUNT)
    radius = float(settings.COMMAND_WARN_PLACE_RADIUS_M)
    days = int(settings.COMMAND_WARN_PLACE_DAYS)
    points: list[dict[str, Any]] = [
        dict(row)
        for row in GridEvent.objects.filter(
            reported_at__gt=now - timedelta(days=days),
            reported_at__lte=now,
            lon__isnull=False,
            lat__isnull=False,
            work_item__isnull=False,
        )
        .exclude(work_item__state="voided")
        .order_by("reported_at", "id")
        .values("id", "work_item_id", "lon", "lat", "territory_code", "reported_at", "address")
    ]
    in_window = {int(p["work_item_id"]) for p in points}
    covered: set[int] = set()
    for situation, ids in EarlyWarning.objects.filter(
        rule=Rule.REPEATED_PLACE, finished_at__isnull=True
    ).values_list("situation", "item_ids"):
        warned = {int(i) for i in ids or []}
        if len(warned & in_window) >= count:
            covered.update(warned)
            yield Holds(situation)
    cells = _cells(points, radius)
    taken: set[int] = set()
    for index, p in enumerate(points):
        if index in taken:
            continue
        row, col = _cell(p, radius)
        near = [
            j
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for j in cells.get((row + dr, col + dc), [])
            if j not in taken
            and haversine_m(p["lon"], p["lat"], points[j]["lon"], points[j]["lat"]) <= radius
        ]
        if len(near) < count:
            continue
        taken.update(near)
        members = sorted(near, key=lambda j: (points[j]["reported_at"], points[j]["id"]))
        item_ids = [int(points[j]["work_item_id"]) for j in members]
        if covered & set(item_ids):
            continue
        level = Level.ORANGE if len(members) >= 2 * count else Level.YELLOW
        anchor = points[members[0]]
        where = anchor["address"] or f"{anchor['lon']:.5f}, {anchor['lat']:.5f}"
        yield Finding(
            rule=Rule.REPEATED_PLACE,
            level=level,
            fingerprint=f"repeated_place:{anchor['id']}",
            territory_code=anchor["territory_code"],
            owner_unit=owners.of(anchor["territory_code"]),
            title=f"同一地点重复上报：{where}"[:200],
            summary=f"{days} 天内在 {radius:g} 米范围内上报 {len(members)} 件。",
            evidence={
                "reports": len(members),
                "radius_m": radius,
                "days": days,
                "threshold": count,
                "centre": [anchor["lon"], anchor["lat"]],
                "first_reported_at": anchor["reported_at"].isoformat(),
                "last_reported_at": points[members[-1]]["reported_at"].isoformat(),
            },
            item_ids=item_ids,
        )


RULES: dict[str, RuleFn] = {Rule.REPEATED_PLACE: repeated_places}
