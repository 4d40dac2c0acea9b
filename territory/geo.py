"""Geometry helpers shared by the generator, the importer and locate: GeoJSON ↔ shapely, and areas in
square metres (a local equirectangular projection: good to well under 1 % at a district's size)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

# Metres per degree of latitude, and of longitude at the equator (WGS-84 mean values).
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0


def to_shape(geojson: dict[str, Any]) -> BaseGeometry:
    return shape(geojson)


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A JSON-native dict (lists, not tuples), so it compares equal to what the database gives back."""
    result: dict[str, Any] = json.loads(json.dumps(mapping(geom)))
    return result


def polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """The polygonal part of an overlay result (drop the slivers GEOS returns as lines or points)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
    polys: list[Polygon] = []
    for part in parts:
        polys.append(part)
    if len(polys) == 1:
        return polys[0]
    return MultiPolygon(polys)


def _to_metres(geom: BaseGeometry, lat0: float) -> BaseGeometry:
    k = M_PER_DEG_LON * math.cos(math.radians(lat0))

    def project(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([coords[:, 0] * k, coords[:, 1] * M_PER_DEG_LAT])

    return shapely.transform(geom, project)


def area_m2(geom: BaseGeometry, lat0: float | None = None) -> float:
    if geom.is_empty:
        return 0.0
    if lat0 is None:
        lat0 = (geom.bounds[1] + geom.bounds[3]) / 2.0
    return float(_to_metres(geom, lat0).area)


def size_m(geom: BaseGeometry) -> tuple[float, float]:
    """Width and height of the bounding box in metres."""
    minx, miny, maxx, maxy = geom.bounds
    lat0 = (miny + maxy) / 2.0
    return (maxx - minx) * M_PER_DEG_LON * math.cos(math.radians(lat0)), (maxy - miny) * M_PER_DEG_LAT
