"""The in-memory point → grid index behind `territory.locate`. No Django here, so the benchmark can build
one from polygons in memory.

Single points go through a uniform bucket grid over the polygons' bounding boxes (a dict-free list
lookup) and then a prepared-geometry `intersects_xy` test on the few candidates: no shapely Point is
built, which is most of the cost of a one-point STRtree query. Arrays go through shapely's STRtree with
`predicate="intersects"` in one vectorised call.

A point on an edge shared by two grids is covered by both; it resolves to the smallest code among the
candidates. Candidates are kept in code order, so "the first that covers the point" is that one."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

try:  # the raw ufunc skips the Python wrapper's argument handling (~2x faster for one point)
    from shapely.lib import intersects_xy as _intersects_xy
except ImportError:  # pragma: no cover - a future shapely may hide it
    from shapely import intersects_xy as _intersects_xy

# Target bucket count per polygon: more buckets → fewer candidates per lookup, more memory.
_BUCKETS_PER_POLYGON = 4


class GridIndex:
    """Polygons keyed by code; `code_at` for one point, `codes_at` for arrays."""

    def __init__(self, codes: Sequence[str], geometries: Sequence[BaseGeometry]):
        if len(codes) != len(geometries):
            raise ValueError("codes and geometries differ in length")
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self.codes: list[str] = [codes[i] for i in order]
        geoms = np.empty(len(order), dtype=object)
        geoms[:] = [geometries[i] for i in order]
        shapely.prepare(geoms)
        self.geometries: npt.NDArray[np.object_] = geoms
        self._geoms_list: list[BaseGeometry] = list(geoms)
        self._codes_array = np.array([*self.codes, ""], dtype=object)  # index -1 → "" (no grid)
        self.tree = shapely.STRtree(geoms)
        self._build_buckets()

    def __len__(self) -> int:
        return len(self.codes)

    def _build_buckets(self) -> None:
        n = len(self.codes)
        if n == 0:
            self._x0 = self._y0 = 0.0
            self._x1 = self._y1 = -1.0  # empty range: every lookup misses
            self._nx = self._ny = 1
            self._fx = self._fy = 0.0
            self._cells: list[tuple[int, ...]] = [()]
            self._boxes: list[tuple[float, float, float, float]] = []
            return
        bounds = shapely.bounds(self.geometries)
        x0, y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        x1, y1 = float(bounds[:, 2].max()), float(bounds[:, 3].max())
        width, height = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
        cells_wanted = max(1, _BUCKETS_PER_POLYGON * n)
        nx = max(1, round(math.sqrt(cells_wanted * width / height)))
        ny = max(1, math.ceil(cells_wanted / nx))
        fx, fy = nx / width, ny / height
        self._x0, self._y0, self._x1, self._y1 = x0, y0, x1, y1
        self._nx, self._ny, self._fx, self._fy = nx, ny, fx, fy
        # The same arithmetic as `code_at`, so a point on a bounding box edge lands in a bucket that lists
        # the polygon (IEEE subtraction and multiplication are monotonic).
        ix0 = np.clip(np.floor((bounds[:, 0] - x0) * fx).astype(np.int64), 0, nx - 1)
        ix1 = np.clip(np.floor((bounds[:, 2] - x0) * fx).astype(np.int64), 0, nx - 1)
        iy0 = np.clip(np.floor((bounds[:, 1] - y0) * fy).astype(np.int64), 0, ny - 1)
        iy1 = np.clip(np.floor((bounds[:, 3] - y0) * fy).astype(np.int64), 0, ny - 1)
        cells: list[list[int]] = [[] for _ in range(nx * ny)]
        for i, (a, b, c, d) in enumerate(
            zip(ix0.tolist(), ix1.tolist(), iy0.tolist(), iy1.tolist(), strict=True)
        ):
            for iy in range(c, d + 1):
                row = iy * nx
                for ix in range(a, b + 1):
                    cells[row + ix].append(i)  # ascending i: code order within every bucket
        self._cells = [tuple(c) for c in cells]
        self._boxes = [(b[0], b[1], b[2], b[3]) for b in bounds.tolist()]

    def index_at(self, x: float, y: float) -> int:
        """Position (in code order) of the grid covering the point, or -1."""
        if not (self._x0 <= x <= self._x1 and self._y0 <= y <= self._y1):
            return -1
        ix = int((x - self._x0) * self._fx)
        iy = int((y - self._y0) * self._fy)
        nx = self._nx
        if ix >= nx:
            ix = nx - 1
        if iy >= self._ny:
            iy = self._ny - 1
        geoms = self._geoms_list
        boxes = self._boxes
        for i in self._cells[iy * nx + ix]:
            # A bounding-box test in Python is ~10x cheaper than the GEOS call it often saves.
            minx, miny, maxx, maxy = boxes[i]
            if minx <= x <= maxx and miny <= y <= maxy and _intersects_xy(geoms[i], x, y):
                return i
        return -1

    def code_at(self, x: float, y: float) -> str | None:
        i = self.index_at(x, y)
        return self.codes[i] if i >= 0 else None

    def indexes_at(self, xs: npt.ArrayLike, ys: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Vectorised `index_at`: one STRtree query for all points, then the smallest index per point."""
        x = np.asarray(xs, dtype=np.float64)
        y = np.asarray(ys, dtype=np.float64)
        result = np.full(x.shape[0], -1, dtype=np.int64)
        if x.shape[0] == 0 or not self.codes:
            return result
        points = shapely.points(x, y)
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        if point_idx.size:
            # Sort by (point, geometry) and keep the first geometry of each point: the smallest code.
            order = np.lexsort((geom_idx, point_idx))
            point_sorted = point_idx[order]
            first = np.ones(point_sorted.shape[0], dtype=bool)
            first[1:] = point_sorted[1:] != point_sorted[:-1]
            result[point_sorted[first]] = geom_idx[order][first]
        return result

    def codes_at(self, xs: npt.ArrayLike, ys: npt.ArrayLike) -> list[str | None]:
        found = self._codes_array[self.indexes_at(xs, ys)]
        return [code or None for code in found.tolist()]
