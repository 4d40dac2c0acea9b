"""Validating a boundary file before `do_import_boundaries` writes anything (all-or-nothing).

The file is a GeoJSON FeatureCollection in WGS-84. Each feature is a town (9-digit code), a village
(12) or a grid (15) of an existing district:

    {"type": "Feature",
     "properties": {"code": "320507003201001", "name": "张庄村第1网格", "level": "grid",
                    "kind": "comprehensive", "area_class": "C", "dedicated_to": ""},
     "geometry": {"type": "Polygon", "coordinates": [[[lon, lat], ...]]}}

`level` (town / village / grid) may be left out (the code's length says it); `name` is required for a
code not yet in the database; `kind` (comprehensive / dedicated) and `area_class` (A / B / C) apply to
grids, `dedicated_to` is required for a dedicated grid.

Checks, each problem naming the feature by index and code: well-formed codes consistent with their
level and parent (the parent exists in the file or the database), Polygon/MultiPolygon geometry with
closed rings of at least four positions and valid coordinates, valid polygons (GEOS), no duplicate
codes, no overlap between siblings (same parent; file features and the real boundaries that stay)
beyond the tolerance, every child inside its parent (and the real children that stay inside a redrawn
parent) within the tolerance. Areas are in square metres.

Generated (synthetic) boundaries constrain nothing: a real file replaces them. The action retires the
synthetic grids of every village the file gives grids for."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from territory.geo import area_m2, to_shape

LEVEL_BY_LENGTH = {9: "town", 12: "village", 15: "grid"}
PARENT_LENGTH = {"town": 6, "village": 9, "grid": 12}
GRID_KINDS = ("comprehensive", "dedicated")
AREA_CLASSES = ("A", "B", "C")


@dataclass(frozen=True)
class Problem:
    index: int | None  # position of the feature in the file (0-based); None for the file itself
    code: str
    message: str

    def __str__(self) -> str:
        where = "文件" if self.index is None else f"要素 #{self.index}"
        return f"{where} {self.code or '(无编码)'}: {self.message}"


@dataclass
class ParsedFeature:
    index: int
    code: str
    level: str
    name: str
    kind: str
    area_class: str
    dedicated_to: str
    geometry: BaseGeometry
    geojson: dict[str, Any]

    @property
    def parent_code(self) -> str:
        return self.code[: PARENT_LENGTH[self.level]]


@dataclass
class Existing:
    """What the database holds, as the validator needs it (the action gathers it)."""

    district_codes: set[str]
    # code → (level, geometry or None, synthetic) for districts, towns and villages.
    divisions: dict[str, tuple[str, BaseGeometry | None, bool]] = field(default_factory=dict)
    # code → (geometry of the current boundary or None, synthetic) for active grids.
    grids: dict[str, tuple[BaseGeometry | None, bool]] = field(default_factory=dict)

    def binding_geometry(self, code: str) -> BaseGeometry | None:
        """The stored geometry of `code` if it is real: generated (synthetic) outlines are
        illustrations and constrain nothing, and a real import replaces them."""
        if code in self.divisions:
            _, geom, synthetic = self.divisions[code]
            return None if synthetic else geom
        if code in self.grids:
            geom, synthetic = self.grids[code]
            return None if synthetic else geom
        return None

    def staying(self, in_file: set[str]) -> list[tuple[str, BaseGeometry]]:
        """Real towns, villages and grids that the file leaves as they are."""
        rows: list[tuple[str, BaseGeometry]] = []
        for code, (level, geom, synthetic) in self.divisions.items():
            if level in ("town", "village") and geom is not None and not synthetic and code not in in_file:
                rows.append((code, geom))
        for code, (geom, synthetic) in self.grids.items():
            if geom is not None and not synthetic and code not in in_file:
                rows.append((code, geom))
        return rows


def _check_positions(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return "环至少需要 4 个坐标点（首尾相同）。A ring needs at least 4 positions."
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            return "坐标须为 [经度, 纬度] 数字对。Positions must be [lon, lat] numbers."
        lon, lat = position[0], position[1]
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            return f"坐标超出经纬度范围：{position[:2]}。Position out of range."
    if list(ring[0][:2]) != list(ring[-1][:2]):
        return "环未闭合（首尾坐标不同）。Ring is not closed."
    return None


def check_geometry(geometry: Any) -> tuple[BaseGeometry | None, str | None]:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None, "几何须为 Polygon 或 MultiPolygon。Geometry must be a Polygon or MultiPolygon."
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return None, "几何坐标为空。Empty coordinates."
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None, "多边形至少需要一个外环。A polygon needs an outer ring."
        for ring in polygon:
            problem = _check_positions(ring)
            if problem:
                return None, problem
    try:
        geom = to_shape(geometry)
    except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
        return None, f"几何无法解析：{exc}。Unreadable geometry."
    if not geom.is_valid:
        return None, f"多边形无效：{shapely.is_valid_reason(geom)}。Invalid polygon."
    if geom.is_empty or geom.area <= 0:
        return None, "多边形面积为零。Polygon has no area."
    return geom, None


def _parse_feature(
    index: int, feature: Any, existing: Existing, problems: list[Problem]
) -> ParsedFeature | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(Problem(index, "", "不是 GeoJSON Feature。Not a Feature."))
        return None
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        props = {}
    code = str(props.get("code") or "").strip()
    count_before = len(problems)

    def fail(message: str) -> None:
        problems.append(Problem(index, code, message))

    level = str(props.get("level") or "").strip()
    if not code:
        fail("缺少编码 code。Missing code.")
    elif not code.isascii() or not code.isdigit() or len(code) not in LEVEL_BY_LENGTH:
        fail("编码须为 9（镇/街道）、12（村/社区）或 15（网格）位数字。Malformed code.")
    else:
        expected = LEVEL_BY_LENGTH[len(code)]
        if level and level != expected:
            fail(f"层级“{level}”与编码长度不符（应为 {expected}）。Level does not match the code.")
        level = expected
        if not any(code.startswith(d) for d in existing.district_codes):
            fail("编码不属于已知的区县。Code is outside every known district.")
        if level == "grid" and code.endswith("000"):
            fail("网格顺序码不能为 000。Grid sequence 000 is not allowed.")
        if level == "town" and code.endswith("000"):
            fail("镇/街道代码不能以 000 结尾。Town code cannot end in 000.")

    name = str(props.get("name") or "").strip()
    known = code in existing.divisions or code in existing.grids
    if not name and not known:
        fail("新对象须提供名称 name。A new code needs a name.")
    if len(name) > 100:
        fail("名称超过 100 字。Name too long.")

    kind = str(props.get("kind") or "comprehensive").strip()
    area_class = str(props.get("area_class") or "").strip().upper()
    dedicated_to = str(props.get("dedicated_to") or "").strip()
    if level == "grid":
        if kind not in GRID_KINDS:
            fail(f"网格类型须为 {'/'.join(GRID_KINDS)}。Unknown kind “{kind}”.")
        if area_class and area_class not in AREA_CLASSES:
            fail("区域类别须为 A、B 或 C。area_class must be A, B or C.")
        if kind == "dedicated" and not dedicated_to:
            fail("专属网格须填写专属对象 dedicated_to。A dedicated grid needs dedicated_to.")

    geom, geometry_problem = check_geometry(feature.get("geometry"))
    if geometry_problem:
        fail(geometry_problem)
    if len(problems) > count_before or geom is None:
        return None
    return ParsedFeature(index, code, level, name, kind, area_class, dedicated_to, geom, feature["geometry"])


def validate_collection(
    document: Any, existing: Existing, *, tolerance_m2: float
) -> tuple[list[ParsedFeature], list[Problem]]:
    """Parse and check the whole file; returns the features and every problem found."""
    problems: list[Problem] = []
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return [], [Problem(None, "", "文件须为 GeoJSON FeatureCollection。Not a FeatureCollection.")]
    raw_features = document.get("features")
    if not isinstance(raw_features, list) or not raw_features:
        return [], [Problem(None, "", "文件中没有要素。No features.")]

    parsed: list[ParsedFeature] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_features):
        feature = _parse_feature(index, raw, existing, problems)
        code = (
            str(((raw or {}).get("properties") or {}).get("code") or "").strip()
            if isinstance(raw, dict)
            else ""
        )
        if code:
            if code in seen:
                problems.append(Problem(index, code, f"编码与要素 #{seen[code]} 重复。Duplicate code."))
                feature = None
            else:
                seen[code] = index
        if feature is not None:
            parsed.append(feature)

    in_file = {f.code: f for f in parsed}
    # Every code present in the file (even when its feature had problems), so a child is not also
    # blamed for a missing parent.
    codes_in_file = set(seen)

    for f in parsed:
        parent = f.parent_code
        if f.level == "town":
            if parent not in existing.district_codes:
                problems.append(Problem(f.index, f.code, f"上级区县 {parent} 不存在。Unknown district."))
        elif parent not in codes_in_file and existing.divisions.get(parent, ("", None, False))[
            0
        ] != _parent_level(f.level):
            problems.append(Problem(f.index, f.code, f"上级 {parent} 不存在。Unknown parent."))

    _check_siblings(parsed, existing, tolerance_m2, problems)
    _check_containment(parsed, in_file, existing, tolerance_m2, problems)
    problems.sort(key=lambda p: (-1 if p.index is None else p.index, p.message))
    return parsed, problems


def _parent_level(level: str) -> str:
    return {"village": "town", "grid": "village", "town": "district"}[level]


def _geometry_of(code: str, in_file: dict[str, ParsedFeature], existing: Existing) -> BaseGeometry | None:
    if code in in_file:
        return in_file[code].geometry
    return existing.binding_geometry(code)


def _check_siblings(
    parsed: list[ParsedFeature], existing: Existing, tolerance_m2: float, problems: list[Problem]
) -> None:
    """No two children of one parent overlap by more than the tolerance."""
    in_file = {f.code for f in parsed}
    # (code, geometry, feature or None) per parent; staying rows are the current ones not in the file.
    groups: dict[str, list[tuple[str, BaseGeometry, ParsedFeature | None]]] = defaultdict(list)
    for f in parsed:
        groups[f.parent_code].append((f.code, f.geometry, f))
    touched_parents = set(groups)
    for code, geom in existing.staying(in_file):
        parent = code[: PARENT_LENGTH[LEVEL_BY_LENGTH[len(code)]]]
        if parent in touched_parents:
            groups[parent].append((code, geom, None))

    for members in groups.values():
        if len(members) < 2:
            continue
        geoms = [m[1] for m in members]
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j:
                continue
            a, b = members[i], members[j]
            if a[2] is None and b[2] is None:
                continue  # two staying rows: not this file's business
            overlap = area_m2(shapely.intersection(a[1], b[1]))
            if overlap > tolerance_m2:
                blamed, other = (b, a) if b[2] is not None else (a, b)
                assert blamed[2] is not None
                problems.append(
                    Problem(
                        blamed[2].index,
                        blamed[0],
                        f"与同级 {other[0]} 重叠 {overlap:.1f} 平方米（容差 {tolerance_m2:g}）。"
                        f"Overlaps sibling {other[0]}.",
                    )
                )


def outside_area(child: BaseGeometry, parent: BaseGeometry) -> float:
    if parent.covers(child):
        return 0.0
    return area_m2(shapely.difference(child, parent))


def _check_containment(
    parsed: list[ParsedFeature],
    in_file: dict[str, ParsedFeature],
    existing: Existing,
    tolerance_m2: float,
    problems: list[Problem],
) -> None:
    """Each child inside its parent (the file's version of the parent if it has one)."""
    for f in parsed:
        parent_geom = _geometry_of(f.parent_code, in_file, existing)
        if parent_geom is None:
            continue  # a parent without a drawn boundary constrains nothing
        outside = outside_area(f.geometry, parent_geom)
        if outside > tolerance_m2:
            problems.append(
                Problem(
                    f.index,
                    f.code,
                    f"有 {outside:.1f} 平方米超出上级 {f.parent_code} 的边界（容差 {tolerance_m2:g}）。"
                    f"Not inside its parent.",
                )
            )
    # Children that stay (not in the file) must fit a parent the file redraws.
    for code, geom in existing.staying(set(in_file)):
        parent_code = code[: PARENT_LENGTH[LEVEL_BY_LENGTH[len(code)]]]
        parent = in_file.get(parent_code)
        if parent is None:
            continue
        outside = outside_area(geom, parent.geometry)
        if outside > tolerance_m2:
            problems.append(
                Problem(
                    parent.index,
                    parent.code,
                    f"现有下级 {code} 有 {outside:.1f} 平方米落在新边界外（容差 {tolerance_m2:g}）。"
                    f"An existing child falls outside the new boundary.",
                )
            )
