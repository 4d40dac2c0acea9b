"""Grids and divisions held in each process's memory (core.refcache): list pages and locate name them
without a query per request or row. Changes show within a minute in other processes."""

from __future__ import annotations

from collections.abc import Iterable

from core.refcache import RefCache
from territory.models import Division, Grid

GRIDS: RefCache[Grid] = RefCache(Grid, ttl=60.0)
DIVISIONS: RefCache[Division] = RefCache(Division, ttl=60.0)

GRID_CODE_LENGTH = 15  # grids have 15-digit codes, divisions 6, 9 or 12


def territory_names(codes: Iterable[str]) -> dict[str, str]:
    """The name of each code that names a grid or a division (a code that names nothing is left out): at
    most one query per table for the rows not held, whatever the number of codes, so a list page names
    its rows in bounded queries."""
    wanted = {code for code in codes if code}
    grids = GRIDS.many(c for c in wanted if len(c) == GRID_CODE_LENGTH)
    divisions = DIVISIONS.many(c for c in wanted if len(c) < GRID_CODE_LENGTH)
    names = {code: grid.name for code, grid in grids.items()}
    names.update((code, division.name) for code, division in divisions.items())
    return names


def grid_names(grid_code: str) -> dict[str, str]:
    """Grid, village and town names for a located code (no query once the rows are held)."""
    grid = GRIDS.many([grid_code]).get(grid_code)
    if grid is None:
        return {"grid_name": "", "village_name": "", "town_name": ""}
    village = DIVISIONS.many([grid.village_id]).get(grid.village_id)
    town = (
        DIVISIONS.many([village.parent_id]).get(village.parent_id) if village and village.parent_id else None
    )
    return {
        "grid_name": grid.name,
        "village_name": village.name if village else "",
        "town_name": town.name if town else "",
    }
