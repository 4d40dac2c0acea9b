"""The generated district (no database): real codes, 2–6 grids per village, ordering, containment."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import pairwise

import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from territory.geo import area_m2
from territory.synthetic import (
    DIVISIONS_FILE,
    SOURCE_LABEL,
    GridSpec,
    TerritorySpec,
    area_class_for,
    division_name,
    generate_territory,
    grid_count_for,
)

TOLERANCE_M2 = 1.0
EPS = 1e-9


@pytest.fixture(scope="module")
def spec() -> TerritorySpec:
    return generate_territory()


def test_real_codes_and_names(spec: TerritorySpec) -> None:
    data = json.loads(DIVISIONS_FILE.read_text(encoding="utf-8"))
    assert spec.district.code == "320507" and spec.district.name == "相城区"
    assert [t.code for t in spec.towns] == sorted(t["code"] for t in data["towns"])
    assert len(spec.towns) == 13
    assert len(spec.villages) == 143
    assert {v.code for v in spec.villages} == {v["code"] for v in data["villages"]}
    by_code = {v.code: v for v in spec.villages}
    assert by_code["320507003201"].name == "张庄村"
    assert by_code["320507003001"].name == "春嘉社区"
    assert all(v.parent_code == v.code[:9] for v in spec.villages)
    assert SOURCE_LABEL.startswith("synthetic")


def test_division_name_drops_committee_suffix() -> None:
    assert division_name("张庄村委会") == "张庄村"
    assert division_name("春嘉社区居委会") == "春嘉社区"
    assert division_name("苏州高铁新城虚拟社区") == "苏州高铁新城虚拟社区"


def test_area_class_rule() -> None:
    assert area_class_for("320507003001", "春嘉社区") == "A"  # a street's community
    assert area_class_for("320507105002", "玉盘家园社区") == "B"  # a town's community
    assert area_class_for("320507402498", "苏州高铁新城虚拟社区") == "B"  # 4xx is not a street
    assert area_class_for("320507003201", "张庄村") == "C"


def test_every_village_has_two_to_six_comprehensive_grids(spec: TerritorySpec) -> None:
    per_village: dict[str, list[str]] = defaultdict(list)
    for grid in spec.grids:
        assert len(grid.code) == 15 and grid.code.isdigit()
        assert grid.code.startswith(grid.village_code)
        if grid.kind == "comprehensive":
            per_village[grid.village_code].append(grid.code)
    assert set(per_village) == {v.code for v in spec.villages}
    for village, codes in per_village.items():
        assert 2 <= len(codes) <= 6
        assert len(codes) == grid_count_for(village)
        assert [c[-3:] for c in sorted(codes)] == [f"{i:03d}" for i in range(1, len(codes) + 1)]
    assert len({g.code for g in spec.grids}) == len(spec.grids)


def test_dedicated_grids(spec: TerritorySpec) -> None:
    dedicated = [g for g in spec.grids if g.kind == "dedicated"]
    assert {g.dedicated_to for g in dedicated} == {"苏州市相城人民医院", "黄桥实验小学", "漕湖产业园"}
    for grid in dedicated:
        assert grid.code.endswith("901")
        assert grid.name.endswith("专属网格")


def test_grids_numbered_west_to_east_then_north_to_south(spec: TerritorySpec) -> None:
    """For grids a < b of one village: b lies entirely south of a, or they share a band and b lies
    entirely east of a."""
    per_village: dict[str, list[GridSpec]] = defaultdict(list)
    for grid in spec.grids:
        if grid.kind == "comprehensive":
            per_village[grid.village_code].append(grid)
    checked = 0
    for grids in per_village.values():
        grids.sort(key=lambda g: g.code)
        for i, a in enumerate(grids):
            for b in grids[i + 1 :]:
                _, a_miny, a_maxx, _ = a.geometry.bounds
                b_minx, _, _, b_maxy = b.geometry.bounds
                south = b_maxy <= a_miny + EPS
                east = a_maxx <= b_minx + EPS
                assert south or east, (a.code, b.code)
                checked += 1
    assert checked > 500


def test_everything_nests_and_siblings_do_not_overlap(spec: TerritorySpec) -> None:
    district = spec.district.geometry
    towns = {t.code: t.geometry for t in spec.towns}
    villages = {v.code: v.geometry for v in spec.villages}
    for town in towns.values():
        assert area_m2(shapely.difference(town, district)) < TOLERANCE_M2
    for v in spec.villages:
        assert area_m2(shapely.difference(v.geometry, towns[v.parent_code or ""])) < TOLERANCE_M2
    for g in spec.grids:
        assert g.geometry.is_valid and not g.geometry.is_empty
        assert area_m2(shapely.difference(g.geometry, villages[g.village_code])) < TOLERANCE_M2

    def no_overlaps(geoms: list[BaseGeometry]) -> None:
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i < j:
                assert area_m2(shapely.intersection(geoms[i], geoms[j])) < TOLERANCE_M2

    no_overlaps(list(towns.values()))
    by_town: dict[str, list[BaseGeometry]] = defaultdict(list)
    for v in spec.villages:
        by_town[v.parent_code or ""].append(v.geometry)
    for geoms in by_town.values():
        no_overlaps(geoms)
    by_village: dict[str, list[BaseGeometry]] = defaultdict(list)
    for g in spec.grids:
        by_village[g.village_code].append(g.geometry)
    for geoms in by_village.values():
        no_overlaps(geoms)
    # The grids cover their villages (the dedicated ones are carved out, not lost).
    for code, geoms in by_village.items():
        union = shapely.union_all(geoms)
        assert area_m2(shapely.difference(villages[code], union)) < TOLERANCE_M2


def test_generation_is_deterministic(spec: TerritorySpec) -> None:
    generate_territory.cache_clear()
    again = generate_territory()
    assert [g.code for g in again.grids] == [g.code for g in spec.grids]
    assert all(a.geometry.equals_exact(b.geometry, 0) for a, b in zip(again.grids, spec.grids, strict=True))
    assert [(z.code, z.village_codes) for z in again.zones] == [(z.code, z.village_codes) for z in spec.zones]


def test_enforcement_zones(spec: TerritorySpec) -> None:
    zones_by_town: dict[str, list[BaseGeometry]] = defaultdict(list)
    for zone in spec.zones:
        assert len(zone.code) == 11 and zone.code.startswith(zone.town_code)
        zones_by_town[zone.town_code].append(zone)
    villages_by_town: dict[str, set[str]] = defaultdict(set)
    for v in spec.villages:
        villages_by_town[v.parent_code or ""].add(v.code)
    for town, zones in zones_by_town.items():
        n = len(villages_by_town[town])
        # 3 (4 from 12 villages), more or fewer so that each zone holds 2–6 villages (a squad's area).
        assert len(zones) == min(max(3 if n < 12 else 4, -(-n // 6)), n // 2)
        assert all(2 <= len(z.village_codes) <= 6 for z in zones)
        members = [c for z in zones for c in z.village_codes]
        assert sorted(members) == sorted(villages_by_town[town])  # a partition of the town's villages
        assert all(z.village_codes for z in zones)
    names = {z.code: z.name for z in spec.zones}
    assert names["32050700301"] == "黄桥街道第一片区"
    assert names["32050700304"] == "黄桥街道第四片区"  # 12 villages → 4 zones
    # Runs of villages in west → east order of their seats.
    seats = {v.code: v.seat[0] for v in spec.villages}
    for zones in zones_by_town.values():
        for a, b in pairwise(sorted(zones, key=lambda z: z.code)):
            assert max(seats[c] for c in a.village_codes) <= min(seats[c] for c in b.village_codes)
