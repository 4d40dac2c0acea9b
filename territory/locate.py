"""Location → grid. `locate()` answers one point, `locate_many()` arrays of them, both from an in-memory
index (`territory.spatial.GridIndex`) over the current boundaries of active grids.

The index is built once per process and rebuilt when the boundaries change. "Changed" is a cheap key:
(BoundaryRevision.number, max id and count of current boundary rows). The key is read at most once per
`TERRITORY_LOCATE_CHECK_SECONDS` (default 1 s), so the hot path costs no query; territory's actions (on
commit) and saves/deletes of grids or boundaries in this process (signals) drop the index at once."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from core.errors import DomainError, NotFound
from territory.coords import GCJ02, SUPPORTED_CRS, WGS84, gcj02_to_wgs84, gcj02_to_wgs84_array
from territory.geo import to_shape
from territory.models import BoundaryRevision, GridBoundary
from territory.spatial import GridIndex


class OutsideGrids(NotFound):
    """The point lies in no grid: outside the district, or in a gap between imported grids."""

    def __init__(self, lon: float, lat: float):
        super().__init__(f"该位置（{lon:.6f}, {lat:.6f}）不在本区任何网格内。Location is outside every grid.")
        self.code = "outside_grids"


@dataclass(frozen=True)
class Located:
    grid_code: str
    village_code: str
    town_code: str
    lon: float  # WGS-84, after any conversion
    lat: float


def check_crs(crs: str) -> str:
    value = (crs or "").strip().lower()
    if value not in SUPPORTED_CRS:
        raise DomainError(
            "invalid_crs",
            f"不支持的坐标系“{crs}”，可选：{', '.join(SUPPORTED_CRS)}。Unsupported crs.",
            field="crs",
        )
    return value


def check_lon_lat(lon: float, lat: float, *, lon_field: str = "lon", lat_field: str = "lat") -> None:
    if not isinstance(lon, int | float) or not math.isfinite(lon) or not -180.0 <= lon <= 180.0:
        raise DomainError(
            "invalid_lon", "经度须为 -180 到 180 之间的数。Longitude out of range.", field=lon_field
        )
    if not isinstance(lat, int | float) or not math.isfinite(lat) or not -90.0 <= lat <= 90.0:
        raise DomainError(
            "invalid_lat", "纬度须为 -90 到 90 之间的数。Latitude out of range.", field=lat_field
        )


class _IndexCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: GridIndex | None = None
        self.key: tuple[int, int, int] | None = None
        self.checked_at = -math.inf
        self.builds = 0  # how many times this process built the index (tests and the admin read it)

    def invalidate(self) -> None:
        with self.lock:
            self.index = None
            self.key = None
            self.checked_at = -math.inf


_cache = _IndexCache()


def invalidate_index() -> None:
    """Drop this process's index; the next lookup rebuilds it."""
    _cache.invalidate()


def index_builds() -> int:
    return _cache.builds


def _generation_key() -> tuple[int, int, int]:
    revision = BoundaryRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0
    agg = GridBoundary.objects.filter(valid_to__isnull=True).aggregate(max_id=Max("id"), count=Count("id"))
    return int(revision), int(agg["max_id"] or 0), int(agg["count"] or 0)


def _build() -> GridIndex:
    rows = GridBoundary.objects.filter(valid_to__isnull=True, grid__active=True).values_list(
        "grid_id", "geometry"
    )
    codes: list[str] = []
    geoms = []
    for code, geometry in rows:
        codes.append(code)
        geoms.append(to_shape(geometry))
    return GridIndex(codes, geoms)


def current_index() -> GridIndex:
    """The index for the current boundaries (rebuilt when the generation key moved)."""
    cache = _cache
    index = cache.index
    interval = float(getattr(settings, "TERRITORY_LOCATE_CHECK_SECONDS", 1.0))
    now = time.monotonic()
    if index is not None and now - cache.checked_at < interval:
        return index
    with cache.lock:
        key = _generation_key()
        if cache.index is None or key != cache.key:
            cache.index = _build()
            cache.key = key
            cache.builds += 1
        cache.checked_at = now
        return cache.index


def locate(lon: float, lat: float, *, crs: str = WGS84) -> Located:
    """The grid covering the point. A point on an edge shared by grids → the smallest code.
    Raises DomainError (field crs/lon/lat) on bad input, OutsideGrids (404) outside every grid."""
    crs = check_crs(crs)
    check_lon_lat(lon, lat)
    x, y = gcj02_to_wgs84(lon, lat) if crs == GCJ02 else (float(lon), float(lat))
    code = current_index().code_at(x, y)
    if code is None:
        raise OutsideGrids(lon, lat)
    return Located(grid_code=code, village_code=code[:12], town_code=code[:9], lon=x, lat=y)


def locate_many(lons: Sequence[float], lats: Sequence[float], *, crs: str = WGS84) -> list[str | None]:
    """Grid codes for many points at once (None where a point is in no grid); same answers as locate()."""
    crs = check_crs(crs)
    xs = np.asarray(lons, dtype=np.float64)
    ys = np.asarray(lats, dtype=np.float64)
    if xs.ndim != 1 or ys.ndim != 1 or xs.shape != ys.shape:
        raise DomainError(
            "invalid_points", "经度与纬度须为等长的一维数组。lons and lats differ.", field="lats"
        )
    if not (np.all(np.isfinite(xs)) and np.all(np.abs(xs) <= 180.0)):
        raise DomainError(
            "invalid_lon", "经度须为 -180 到 180 之间的数。Longitude out of range.", field="lons"
        )
    if not (np.all(np.isfinite(ys)) and np.all(np.abs(ys) <= 90.0)):
        raise DomainError("invalid_lat", "纬度须为 -90 到 90 之间的数。Latitude out of range.", field="lats")
    if crs == GCJ02:
        xs, ys = gcj02_to_wgs84_array(xs, ys)
    return current_index().codes_at(xs, ys)
