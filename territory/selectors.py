"""Reads of the territory, scoped by territory codes (the caller turns a user into codes with
`accounts.jurisdiction.jurisdiction_codes`). Anything outside the codes is not found (404).

Two scopes:
- **data** (division tree, grids, grid detail, locate): rows whose code lies inside one of the codes;
- **map context** (district/town/village outlines for the map): the towns the user works in, so a
  grid worker sees the outlines of their town's villages, and the district outline for everyone in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q

from core.errors import DomainError, NotFound
from territory import refs
from territory.geo import to_shape
from territory.models import Division, EnforcementZone, Grid, GridBoundary
from territory.scoping import covers, minimal_codes, scope

FeatureCollection = dict[str, Any]
COORDINATE_DIGITS = 6  # ~0.1 m: plenty for a map, a third of the full-precision payload


def check_code(value: str | None, *, length: int, field: str, label: str) -> str | None:
    """A code query parameter: None/empty → None; otherwise exactly `length` digits or a 400."""
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit() and len(value) == length):
        raise DomainError("invalid_code", f"{label}代码须为 {length} 位数字。Malformed code.", field=field)
    return value


def related_to(codes: Iterable[str], code: str) -> bool:
    """`code` is inside the jurisdiction, or contains part of it (a grid worker's own village)."""
    codes = list(codes)
    return covers(codes, code) or any(c.startswith(code) for c in codes)


def _round(coords: Any) -> Any:
    if isinstance(coords, list) and coords and isinstance(coords[0], int | float):
        return [round(v, COORDINATE_DIGITS) for v in coords]
    return [_round(c) for c in coords]


def rounded(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    if not geometry:
        return None
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


# --- division tree ---------------------------------------------------------------------------------


def division_tree(codes: Iterable[str]) -> list[dict[str, Any]]:
    """Divisions inside the codes as nested nodes {code, name, level, synthetic, children}; roots carry
    `path`, their ancestors' codes and names (context, not data)."""
    codes = minimal_codes(codes)
    rows = list(
        scope(Division.objects.all(), codes, "code").values("code", "name", "level", "parent_id", "synthetic")
    )
    nodes: dict[str, dict[str, Any]] = {
        r["code"]: {
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "synthetic": r["synthetic"],
            "children": [],
        }
        for r in rows
    }
    roots: list[dict[str, Any]] = []
    for r in rows:  # ordered by code: parents before children
        parent = nodes.get(r["parent_id"] or "")
        if parent is not None:
            parent["children"].append(nodes[r["code"]])
        else:
            roots.append(nodes[r["code"]])
    ancestor_codes = {r["code"][:n] for r in roots for n in (6, 9) if n < len(r["code"])}
    names = dict(Division.objects.filter(code__in=ancestor_codes).values_list("code", "name"))
    for root in roots:
        root["path"] = [
            {"code": root["code"][:n], "name": names[root["code"][:n]]}
            for n in (6, 9)
            if n < len(root["code"]) and root["code"][:n] in names
        ]
    return roots


# --- grids -----------------------------------------------------------------------------------------


def _current_boundaries() -> Any:
    return GridBoundary.objects.filter(valid_to__isnull=True, grid__active=True)


def _grid_properties(grid: Grid, boundary: GridBoundary) -> dict[str, Any]:
    village = grid.village
    town = village.parent
    return {
        "code": grid.code,
        "name": grid.name,
        "kind": grid.kind,
        "kind_label": str(grid.get_kind_display()),
        "area_class": grid.area_class,
        "dedicated_to": grid.dedicated_to,
        "village": village.code,
        "village_name": village.name,
        "town": town.code if town else grid.code[:9],
        "town_name": town.name if town else "",
        "synthetic": boundary.synthetic,
        "version": boundary.version,
    }


def _check_filter(codes: list[str], code: str | None, level: str) -> None:
    if code is None:
        return
    if not related_to(codes, code) or not Division.objects.filter(code=code, level=level).exists():
        raise NotFound()


def grids_collection(
    codes: Iterable[str], *, town: str | None = None, village: str | None = None
) -> FeatureCollection:
    """Current boundaries of the active grids inside the codes, optionally of one town or village
    (a town/village outside the jurisdiction → NotFound)."""
    codes = minimal_codes(codes)
    _check_filter(codes, town, Division.Level.TOWN)
    _check_filter(codes, village, Division.Level.VILLAGE)
    boundaries = scope(_current_boundaries(), codes, "grid__code").select_related("grid__village__parent")
    if town:
        boundaries = boundaries.filter(grid__code__startswith=town)
    if village:
        boundaries = boundaries.filter(grid__code__startswith=village)
    features = [
        {
            "type": "Feature",
            "id": b.grid_id,
            "geometry": rounded(b.geometry),
            "properties": _grid_properties(b.grid, b),
        }
        for b in boundaries.order_by("grid_id")
    ]
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class GridDetail:
    grid: Grid
    boundary: GridBoundary | None
    zones: list[EnforcementZone]

    def as_feature(self) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "code": self.grid.code,
            "name": self.grid.name,
            "kind": self.grid.kind,
            "kind_label": str(self.grid.get_kind_display()),
            "area_class": self.grid.area_class,
            "area_class_label": str(self.grid.get_area_class_display()),
            "dedicated_to": self.grid.dedicated_to,
            "active": self.grid.active,
            "village": self.grid.village_id,
            "village_name": self.grid.village.name,
            "town": self.grid.village.parent_id or self.grid.code[:9],
            "town_name": self.grid.village.parent.name if self.grid.village.parent else "",
            "synthetic": bool(self.boundary and self.boundary.synthetic),
            "version": self.boundary.version if self.boundary else None,
            "valid_from": self.boundary.valid_from.isoformat() if self.boundary else None,
            "zones": [{"code": z.code, "name": z.name} for z in self.zones],
        }
        return {
            "type": "Feature",
            "id": self.grid.code,
            "geometry": rounded(self.boundary.geometry) if self.boundary else None,
            "properties": properties,
        }


def get_grid(codes: Iterable[str], code: str) -> GridDetail:
    """One grid inside the codes (its current boundary and enforcement zones), or NotFound."""
    codes = minimal_codes(codes)
    if not covers(codes, code):
        raise NotFound()
    grid = (
        Grid.objects.select_related("village__parent")
        .prefetch_related(
            Prefetch(
                "boundaries", queryset=GridBoundary.objects.filter(valid_to__isnull=True), to_attr="current"
            ),
        )
        .filter(code=code)
        .first()
    )
    if grid is None:
        raise NotFound()
    current: list[GridBoundary] = getattr(grid, "current", [])
    zones = list(EnforcementZone.objects.filter(villages=grid.village_id).order_by("code"))
    return GridDetail(grid=grid, boundary=current[0] if current else None, zones=zones)


def grid_names(grid_code: str) -> dict[str, str]:
    """Grid, village and town names for a located code (from the process cache: territory/refs.py)."""
    return refs.grid_names(grid_code)


def grids_named(query: str, *, limit: int) -> list[dict[str, Any]]:
    """Active grids whose own name or whose village's name contains `query`, each with a point inside its
    current boundary: the resident's report form falls back on these where no standard address matches
    (or the registries are not filled yet), so a resident can still place a report by a name they know.
    Names only, no personal data."""
    query = (query or "").strip()
    if not query:
        return []
    rows = (
        _current_boundaries()
        .filter(Q(grid__name__icontains=query) | Q(grid__village__name__icontains=query))
        .select_related("grid__village__parent")
        .order_by("grid__code")[:limit]
    )
    found = []
    for boundary in rows:
        grid = boundary.grid
        properties = _grid_properties(grid, boundary)
        inside = to_shape(boundary.geometry).representative_point()
        found.append(
            {
                "address_id": None,
                "address": grid.name
                if properties["village_name"] in grid.name
                else f"{properties['village_name']}{grid.name}",
                "grid": grid.code,
                "grid_name": grid.name,
                "village": properties["village"],
                "village_name": properties["village_name"],
                "town": properties["town"],
                "town_name": properties["town_name"],
                "lon": round(inside.x, COORDINATE_DIGITS),
                "lat": round(inside.y, COORDINATE_DIGITS),
                "located_by": "place",
            }
        )
    return found


# --- map layers ------------------------------------------------------------------------------------


def context_codes(codes: Iterable[str]) -> list[str]:
    """The towns (or the district) the jurisdiction lies in: a village or grid code → its town."""
    return minimal_codes(c[:9] if len(c) > 9 else c for c in codes)


def layer_collection(codes: Iterable[str], level: str, *, town: str | None = None) -> FeatureCollection:
    """Outlines for the map: `district` (the districts the user works in), `town` or `village` (those of
    the user's towns; a town filter outside them → NotFound)."""
    codes = minimal_codes(codes)
    context = context_codes(codes)
    queryset = Division.objects.filter(level=level)
    if level == Division.Level.DISTRICT:
        districts = {c[:6] for c in codes}
        queryset = queryset.filter(code__in=districts)
    else:
        queryset = scope(queryset, context, "code")
    if town:
        if (
            not related_to(context, town)
            or not Division.objects.filter(code=town, level=Division.Level.TOWN).exists()
        ):
            raise NotFound()
        queryset = queryset.filter(code__startswith=town)
    features = [
        {
            "type": "Feature",
            "id": d.code,
            "geometry": rounded(d.boundary),
            "properties": {
                "code": d.code,
                "name": d.name,
                "level": d.level,
                "parent": d.parent_id,
                "synthetic": d.synthetic,
                "seat": [d.seat_lon, d.seat_lat]
                if d.seat_lon is not None and d.seat_lat is not None
                else None,
            },
        }
        for d in queryset.order_by("code")
    ]
    return {"type": "FeatureCollection", "features": features}
