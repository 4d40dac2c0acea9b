"""Deterministic synthetic boundaries for 相城区, inside its real outline (WGS-84).

Real: the district outline, the codes and names of its 13 towns/streets and 143 villages/communities
(`territory/fixtures/`). Generated (every geometry is marked synthetic):

- **towns**: Voronoi cells of hand-placed approximate seats (`TOWN_SEATS`), clipped to the outline;
- **villages**: Voronoi cells of pseudo-random points inside their town (seeded by the town code, relaxed
  by a few Lloyd steps so cells are even), clipped to the town; villages are given to cells in code
  order, cells ordered west → east by seat;
- **comprehensive grids (综合网格)**: each village gets 2–6 (2 + crc32(village code) mod 5). The village is
  cut into horizontal bands of equal area, north to south, each band into cells of equal area, west to
  east (layout: 2 → 1×2 or 2×1, 3 → 1×3 or 3×1, 4 → 2×2, 5 → 3+2, 6 → 2×3 or 3×2, the longer side of
  the village getting more cuts). Sequence numbers 001… run band by band (north first), west to east
  within a band. So for two comprehensive grids a < b of one village: b lies entirely south of a, or the
  two share a band and b lies entirely east of a;
- **dedicated grids (专属网格)** for a hospital, a school and an industrial park (`DEDICATED`): a square
  around the village's representative point, carved out of its comprehensive grids, numbered from 901
  so carving never renumbers a comprehensive grid;
- **area class**: A = a community (name contains 社区) of a street (town code 001–099); B = any other
  community; C = a village (村). A dedicated grid takes its village's class;
- **enforcement zones (执法片区)**: 3 per town (4 from 12 villages), fewer or more where needed so that each
  holds 2–6 villages (the configured bounds, territory.zones; a town of one village has none), each a
  run of villages in west → east order of their seats, as even as possible; code = town code + 2 digits,
  name = "<town>第一片区" ….

Nothing here touches the database; `generate_territory()` is cached per process."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from territory.geo import polygonal, size_m
from territory.zones import zone_bounds

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DIVISIONS_FILE = FIXTURES / "xiangcheng_divisions.json"
OUTLINE_FILE = FIXTURES / "xiangcheng_district.geojson"
SOURCE_LABEL = "synthetic:xiangcheng-v1"

# Approximate seats (WGS-84), placed by hand from the towns' known positions in the district.
TOWN_SEATS: dict[str, tuple[float, float]] = {
    "320507001": (120.635, 31.372),  # 元和街道: south, next to the city centre
    "320507002": (120.700, 31.447),  # 太平街道: west shore of 阳澄湖
    "320507003": (120.565, 31.400),  # 黄桥街道: south-west
    "320507004": (120.600, 31.512),  # 北桥街道: north
    "320507005": (120.662, 31.428),  # 北河泾街道: centre, 高铁新城 area
    "320507006": (120.560, 31.476),  # 漕湖街道: north-west, by 漕湖
    "320507007": (120.668, 31.403),  # 澄阳街道: centre-south
    "320507100": (120.430, 31.420),  # 望亭镇: west, by 太湖
    "320507102": (120.515, 31.440),  # 黄埭镇: north-west
    "320507105": (120.640, 31.478),  # 渭塘镇: north-centre
    "320507109": (120.785, 31.490),  # 阳澄湖镇: east
    "320507401": (120.745, 31.432),  # 阳澄湖生态休闲旅游度假区: south-east, lakeside
    "320507402": (120.612, 31.440),  # 苏州高铁新城: centre, 苏州北站
}
DISTRICT_SEAT = (120.642, 31.369)

# (village code, dedicated_to): carved out as 专属网格.
DEDICATED: list[tuple[str, str]] = [
    ("320507001002", "苏州市相城人民医院"),
    ("320507003207", "黄桥实验小学"),
    ("320507006004", "漕湖产业园"),
]
DEDICATED_FIRST_SEQUENCE = 901

_LLOYD_STEPS = 4
_CHINESE_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class DivisionSpec:
    code: str
    name: str
    level: str  # district / town / village (Division.Level values)
    parent_code: str | None
    seat: tuple[float, float]
    geometry: BaseGeometry


@dataclass(frozen=True)
class GridSpec:
    code: str
    name: str
    village_code: str
    kind: str  # comprehensive / dedicated (Grid.Kind values)
    area_class: str
    dedicated_to: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class ZoneSpec:
    code: str
    name: str
    town_code: str
    village_codes: tuple[str, ...]


@dataclass(frozen=True)
class TerritorySpec:
    district: DivisionSpec
    towns: tuple[DivisionSpec, ...]
    villages: tuple[DivisionSpec, ...]
    grids: tuple[GridSpec, ...]
    zones: tuple[ZoneSpec, ...]

    @property
    def divisions(self) -> tuple[DivisionSpec, ...]:
        """Parents before children."""
        return (self.district, *self.towns, *self.villages)


def division_name(raw: str) -> str:
    """The village/community, not its committee: 张庄村委会 → 张庄村, 春嘉社区居委会 → 春嘉社区."""
    for suffix in ("居委会", "委会"):
        if raw.endswith(suffix) and len(raw) > len(suffix) + 1:
            return raw[: -len(suffix)]
    return raw


def area_class_for(village_code: str, village_name: str) -> str:
    town_seq = int(village_code[6:9])
    if "社区" in village_name:
        return "A" if 1 <= town_seq <= 99 else "B"
    return "C"


def grid_count_for(village_code: str) -> int:
    return 2 + zlib.crc32(village_code.encode()) % 5


def _seed(code: str) -> int:
    return zlib.crc32(f"zhili-territory:{code}".encode())


def _voronoi_cells(points: np.ndarray, region: BaseGeometry) -> list[Polygon | MultiPolygon]:
    """Voronoi cells of `points`, in input order, clipped to `region`."""
    if len(points) == 1:
        return [polygonal(region)]
    extent = box(*region.bounds).buffer(0.1)
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=extent, ordered=True)
    parts = shapely.get_parts(cells)
    return [polygonal(shapely.intersection(cell, region)) for cell in parts]


def _random_points_inside(region: BaseGeometry, count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    found: list[np.ndarray] = []
    total = 0
    while total < count:
        xs = rng.uniform(minx, maxx, 256)
        ys = rng.uniform(miny, maxy, 256)
        inside = shapely.contains_xy(region, xs, ys)
        batch = np.column_stack([xs[inside], ys[inside]])
        found.append(batch)
        total += len(batch)
    return np.vstack(found)[:count]


def _relaxed_cells(region: BaseGeometry, count: int, seed: int) -> list[Polygon | MultiPolygon]:
    """`count` cells covering `region`: random seeds, then Lloyd steps (seed ← cell centroid)."""
    points = _random_points_inside(region, count, seed)
    cells = _voronoi_cells(points, region)
    for _ in range(_LLOYD_STEPS):
        moved = []
        for cell in cells:
            centroid = cell.centroid
            if not region.contains(centroid):
                centroid = cell.representative_point()
            moved.append((centroid.x, centroid.y))
        points = np.array(moved)
        cells = _voronoi_cells(points, region)
    return cells


def _cut_line(geom: BaseGeometry, axis: int, target: float) -> float:
    """The x (axis 0) or y (axis 1) where the part west of / north of the line has area `target`, by
    bisection (clip_by_rect is GEOS's fast rectangle clipper; good enough for measuring areas)."""
    minx, miny, maxx, maxy = geom.bounds
    lo, hi = (minx, maxx) if axis == 0 else (miny, maxy)
    for _ in range(40):
        mid = (lo + hi) / 2.0
        if axis == 0:
            west = shapely.clip_by_rect(geom, minx - 1, miny - 1, mid, maxy + 1).area
            lo, hi = (mid, hi) if west < target else (lo, mid)
        else:
            north = shapely.clip_by_rect(geom, minx - 1, mid, maxx + 1, maxy + 1).area
            lo, hi = (lo, mid) if north < target else (mid, hi)
    return (lo + hi) / 2.0


def _cut(geom: BaseGeometry, axis: int, fractions: list[float]) -> list[Polygon | MultiPolygon]:
    """Cut `geom` into pieces with the given area fractions, along x (axis 0: west → east) or y
    (axis 1: north → south)."""
    minx, miny, maxx, maxy = geom.bounds
    pad = 1.0
    total = geom.area
    pieces: list[Polygon | MultiPolygon] = []
    remaining = geom
    cumulative = 0.0
    for fraction in fractions[:-1]:
        cumulative += fraction
        line = _cut_line(geom, axis, cumulative * total)
        if axis == 0:
            head = box(minx - pad, miny - pad, line, maxy + pad)
        else:
            head = box(minx - pad, line, maxx + pad, maxy + pad)
        pieces.append(polygonal(shapely.intersection(remaining, head)))
        remaining = polygonal(shapely.difference(remaining, head))
    pieces.append(remaining)
    return pieces


def _layout(count: int, wide: bool) -> list[int]:
    """Cells per band, north to south."""
    layouts = {
        2: [2] if wide else [1, 1],
        3: [3] if wide else [1, 1, 1],
        4: [2, 2],
        5: [3, 2],
        6: [3, 3] if wide else [2, 2, 2],
    }
    return layouts[count]


def split_village(village: BaseGeometry, count: int) -> list[Polygon | MultiPolygon]:
    """Equal-area cells, numbered band by band (north first), west to east within a band."""
    width, height = size_m(village)
    bands = _layout(count, wide=width >= height)
    band_geoms = _cut(village, 1, [cells / count for cells in bands])
    result: list[Polygon | MultiPolygon] = []
    for band, cells in zip(band_geoms, bands, strict=True):
        result.extend(_cut(band, 0, [1.0 / cells] * cells) if cells > 1 else [band])
    return result


def _carve(
    village: BaseGeometry, comprehensive: list[BaseGeometry]
) -> tuple[BaseGeometry, list[BaseGeometry]]:
    """A square of ~6 % of the village around its representative point, cut out of the comprehensive
    grids; shrunk until every comprehensive grid keeps at least half of its area."""
    point = village.representative_point()
    fraction = 0.06
    while True:
        side = (village.area * fraction) ** 0.5
        square = box(point.x - side / 2, point.y - side / 2, point.x + side / 2, point.y + side / 2)
        dedicated = polygonal(shapely.intersection(village, square))
        rest = [polygonal(shapely.difference(g, dedicated)) for g in comprehensive]
        if all(r.area >= 0.5 * g.area for r, g in zip(rest, comprehensive, strict=True)):
            return dedicated, rest
        fraction /= 2


def _short(name: str) -> str:
    return name


@lru_cache(maxsize=1)
def generate_territory() -> TerritorySpec:
    data = json.loads(DIVISIONS_FILE.read_text(encoding="utf-8"))
    outline_doc = json.loads(OUTLINE_FILE.read_text(encoding="utf-8"))
    outline = polygonal(shapely.geometry.shape(outline_doc["features"][0]["geometry"]))
    district_code = data["district"]["code"]
    district = DivisionSpec(district_code, data["district"]["name"], "district", None, DISTRICT_SEAT, outline)

    town_rows = sorted(data["towns"], key=lambda t: t["code"])
    seats = np.array([TOWN_SEATS[t["code"]] for t in town_rows])
    town_cells = _voronoi_cells(seats, outline)
    towns = tuple(
        DivisionSpec(t["code"], division_name(t["name"]), "town", district_code, TOWN_SEATS[t["code"]], cell)
        for t, cell in zip(town_rows, town_cells, strict=True)
    )

    villages: list[DivisionSpec] = []
    grids: list[GridSpec] = []
    zones: list[ZoneSpec] = []
    dedicated = dict(DEDICATED)
    for town in towns:
        rows = sorted((v for v in data["villages"] if v["town"] == town.code), key=lambda v: v["code"])
        cells = _relaxed_cells(town.geometry, len(rows), _seed(town.code))
        seats_of = [c.representative_point() for c in cells]
        by_west = sorted(range(len(cells)), key=lambda i: (seats_of[i].x, -seats_of[i].y))
        town_villages: list[DivisionSpec] = []
        for row, cell_index in zip(rows, by_west, strict=True):
            cell = cells[cell_index]
            seat = seats_of[cell_index]
            name = division_name(row["name"])
            village = DivisionSpec(row["code"], name, "village", town.code, (seat.x, seat.y), cell)
            town_villages.append(village)
            area_class = area_class_for(row["code"], name)
            pieces: list[BaseGeometry] = list(split_village(cell, grid_count_for(row["code"])))
            extra: list[GridSpec] = []
            if row["code"] in dedicated:
                carved, pieces = _carve(cell, pieces)
                target = dedicated[row["code"]]
                extra.append(
                    GridSpec(
                        f"{row['code']}{DEDICATED_FIRST_SEQUENCE:03d}",
                        f"{target}专属网格",
                        row["code"],
                        "dedicated",
                        area_class,
                        target,
                        carved,
                    )
                )
            for seq, piece in enumerate(pieces, start=1):
                grids.append(
                    GridSpec(
                        f"{row['code']}{seq:03d}",
                        f"{name}第{seq}网格",
                        row["code"],
                        "comprehensive",
                        area_class,
                        "",
                        piece,
                    )
                )
            grids.extend(extra)
        villages.extend(town_villages)
        zones.extend(_zones_for(town, town_villages))
    return TerritorySpec(district, towns, tuple(villages), tuple(grids), tuple(zones))


def _zones_for(town: DivisionSpec, villages: list[DivisionSpec]) -> list[ZoneSpec]:
    low, high = zone_bounds()
    # Even runs of size between the bounds: at least ceil(n / high) zones, at most floor(n / low).
    count = max(3 if len(villages) < 12 else 4, -(-len(villages) // high))
    count = min(count, len(villages) // low)
    if count <= 0:
        return []
    ordered = sorted(villages, key=lambda v: (v.seat[0], v.code))
    size, extra = divmod(len(ordered), count)
    zones: list[ZoneSpec] = []
    start = 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        members = tuple(sorted(v.code for v in ordered[start:end]))
        zones.append(
            ZoneSpec(
                f"{town.code}{i + 1:02d}", f"{town.name}第{_CHINESE_ORDINALS[i]}片区", town.code, members
            )
        )
        start = end
    return zones
