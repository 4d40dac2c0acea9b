"""The in-memory index (no database): buckets + prepared polygons for one point, STRtree for arrays."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from territory.spatial import GridIndex


def _lattice(n: int) -> tuple[list[str], list[Polygon]]:
    codes, polys = [], []
    for i in range(n):
        for j in range(n):
            codes.append(f"{j:03d}{i:03d}")
            polys.append(box(120.0 + i * 0.01, 31.0 + j * 0.01, 120.01 + i * 0.01, 31.01 + j * 0.01))
    return codes, polys


def test_inside_outside_and_shared_edges() -> None:
    codes, polys = _lattice(5)
    index = GridIndex(codes, polys)
    assert index.code_at(120.005, 31.005) == "000000"
    assert index.code_at(120.015, 31.005) == "000001"
    # On the edge between 000000 and 000001: both cover it, the smaller code wins.
    assert index.code_at(120.01, 31.005) == "000000"
    # A corner shared by four: the smallest of the four.
    assert index.code_at(120.02, 31.02) == "001001"
    assert index.code_at(119.9, 31.0) is None
    assert index.code_at(120.06, 31.02) is None


def test_input_order_does_not_matter() -> None:
    codes, polys = _lattice(4)
    forward = GridIndex(codes, polys)
    backward = GridIndex(codes[::-1], polys[::-1])
    for x, y in [(120.01, 31.005), (120.02, 31.02), (120.035, 31.005)]:
        assert forward.code_at(x, y) == backward.code_at(x, y)


def test_bulk_equals_single_including_edges_and_misses() -> None:
    codes, polys = _lattice(12)
    index = GridIndex(codes, polys)
    rng = np.random.default_rng(3)
    xs = np.concatenate([rng.uniform(119.99, 120.13, 3000), 120.0 + np.arange(13) * 0.01])
    ys = np.concatenate([rng.uniform(30.99, 31.13, 3000), np.full(13, 31.05)])
    bulk = index.codes_at(xs, ys)
    single = [index.code_at(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]
    assert bulk == single
    assert None in bulk and any(bulk)


def test_irregular_polygons_and_multipolygons() -> None:
    triangle = Polygon([(0, 0), (2, 0), (0, 2)])
    other = Polygon([(2, 0), (2, 2), (0, 2)])
    multi = shapely.MultiPolygon([box(5, 5, 6, 6), box(7, 7, 8, 8)])
    index = GridIndex(["b", "a", "c"], [triangle, other, multi])
    assert index.code_at(0.5, 0.5) == "b"
    assert index.code_at(1.5, 1.5) == "a"
    assert index.code_at(1.0, 1.0) == "a"  # on the shared diagonal: smallest code
    assert index.code_at(7.5, 7.5) == "c"
    assert index.code_at(6.5, 6.5) is None  # inside the bounding box, between the parts


def test_empty_index() -> None:
    index = GridIndex([], [])
    assert len(index) == 0
    assert index.code_at(120.0, 31.0) is None
    assert index.codes_at([120.0], [31.0]) == [None]
