"""Small territories for tests: a district with two towns, each with one village of two square grids.
Codes are real Xiangcheng codes (黄桥街道 320507003, 渭塘镇 320507105) so tests read like the demo."""

from __future__ import annotations

from typing import Any

from territory.factories import DivisionFactory, GridBoundaryFactory, GridFactory, square
from territory.models import Division, Grid

__all__ = [
    "DISTRICT",
    "GRID_CODES",
    "HUANGQIAO",
    "HUANGQIAO_VILLAGE",
    "WEITANG",
    "WEITANG_VILLAGE",
    "load_small_territory",
    "make_small_territory",
    "square",
]

DISTRICT = "320507"
HUANGQIAO = "320507003"
WEITANG = "320507105"
HUANGQIAO_VILLAGE = "320507003201"
WEITANG_VILLAGE = "320507105201"


def make_small_territory() -> dict[str, Any]:
    """Create (or reuse) the small territory; returns the grids by code."""
    district = DivisionFactory.create(
        code=DISTRICT, name="相城区", level=Division.Level.DISTRICT, parent=None
    )
    grids: dict[str, Grid] = {}
    for town_code, town_name, village_code, village_name, lon in [
        (HUANGQIAO, "黄桥街道", HUANGQIAO_VILLAGE, "黄桥测试村", 120.55),
        (WEITANG, "渭塘镇", WEITANG_VILLAGE, "渭塘测试村", 120.65),
    ]:
        town = DivisionFactory.create(
            code=town_code, name=town_name, level=Division.Level.TOWN, parent=district
        )
        village = DivisionFactory.create(
            code=village_code,
            name=village_name,
            parent=town,
            boundary=square(lon, 31.40, 0.02),
            synthetic=True,
        )
        for seq, offset in [(1, 0.0), (2, 0.01)]:
            code = f"{village_code}{seq:03d}"
            grid = GridFactory.create(code=code, name=f"{village_name}第{seq}网格", village=village)
            GridBoundaryFactory.create(grid=grid, geometry=square(lon + offset, 31.40))
            grids[code] = grid
    return grids


GRID_CODES = tuple(
    f"{village}{seq:03d}" for village in (HUANGQIAO_VILLAGE, WEITANG_VILLAGE) for seq in (1, 2)
)


def load_small_territory() -> dict[str, Grid]:
    """The small territory's grids as fresh instances (tests build it once per session): built here
    when it is missing (a test that emptied the database)."""
    grids = {grid.code: grid for grid in Grid.objects.filter(code__in=GRID_CODES).order_by("code")}
    if len(grids) != len(GRID_CODES):
        return make_small_territory()
    return grids
