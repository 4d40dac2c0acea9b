"""locate / locate_many: inside, shared edges, outside, GCJ-02, bad input, and the index cache."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import override_settings

from core.errors import DomainError, NotFound
from territory import locate as locate_module
from territory.coords import wgs84_to_gcj02
from territory.locate import OutsideGrids, index_builds, locate, locate_many
from territory.models import Grid, GridBoundary
from territory.testing import square
from territory.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_inside_a_grid(territory: dict[str, Grid]) -> None:
    found = locate(120.555, 31.405)
    assert found.grid_code == "320507003201001"
    assert found.village_code == "320507003201"
    assert found.town_code == "320507003"
    assert locate(120.565, 31.405).grid_code == "320507003201002"
    assert locate(120.665, 31.405).grid_code == "320507105201002"


def test_a_point_on_a_shared_edge_resolves_to_the_smallest_code(territory: dict[str, Grid]) -> None:
    # 001 spans 120.55–120.56, 002 spans 120.56–120.57: the edge belongs to both.
    assert locate(120.56, 31.405).grid_code == "320507003201001"
    assert locate_many([120.56], [31.405]) == ["320507003201001"]
    # The outer edge of a grid still counts as inside (covers, not contains).
    assert locate(120.55, 31.40).grid_code == "320507003201001"


def test_outside_every_grid(territory: dict[str, Grid]) -> None:
    with pytest.raises(NotFound) as caught:
        locate(116.39, 39.9)
    assert isinstance(caught.value, OutsideGrids)
    assert caught.value.code == "outside_grids"
    assert caught.value.status == 404
    assert "不在" in caught.value.message
    assert locate_many([116.39, 120.555], [39.9, 31.405]) == [None, "320507003201001"]


def test_gcj02_input_is_converted(territory: dict[str, Grid]) -> None:
    # 120.558 is ~190 m west of the 001|002 edge; GCJ-02 shifts it ~400 m east.
    lon, lat = wgs84_to_gcj02(120.558, 31.405)
    assert lon > 120.56
    found = locate(lon, lat, crs="gcj02")
    assert found.grid_code == "320507003201001"
    assert found.lon == pytest.approx(120.558, abs=1e-6) and found.lat == pytest.approx(31.405, abs=1e-6)
    # The same numbers read as WGS-84 land in the neighbouring grid.
    assert locate(lon, lat).grid_code == "320507003201002"
    assert locate_many([lon], [lat], crs="GCJ02") == ["320507003201001"]
    assert locate_many([lon], [lat]) == ["320507003201002"]


@pytest.mark.parametrize(
    ("lon", "lat", "field"),
    [
        (181.0, 31.0, "lon"),
        (-200.0, 31.0, "lon"),
        (float("nan"), 31.0, "lon"),
        (120.0, 91.0, "lat"),
        (120.0, float("inf"), "lat"),
    ],
)
def test_bad_coordinates_name_the_field(
    territory: dict[str, Grid], lon: float, lat: float, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        locate(lon, lat)
    assert caught.value.field == field and caught.value.status == 400


def test_unknown_crs(territory: dict[str, Grid]) -> None:
    with pytest.raises(DomainError) as caught:
        locate(120.555, 31.405, crs="bd09")
    assert caught.value.field == "crs" and caught.value.code == "invalid_crs"
    with pytest.raises(DomainError) as caught:
        locate_many([120.555], [31.405], crs="epsg:3857")
    assert caught.value.field == "crs"


def test_locate_many_bad_input(territory: dict[str, Grid]) -> None:
    with pytest.raises(DomainError) as caught:
        locate_many([120.5, 120.6], [31.4])
    assert caught.value.field == "lats"
    with pytest.raises(DomainError) as caught:
        locate_many([500.0], [31.4])
    assert caught.value.field == "lons"
    assert locate_many([], []) == []


def test_locate_many_equals_locate_on_the_full_district(full_territory: dict[str, int]) -> None:
    rng = np.random.default_rng(5)
    lons = rng.uniform(120.30, 120.84, 3000)
    lats = rng.uniform(31.33, 31.56, 3000)
    bulk = locate_many(lons.tolist(), lats.tolist())
    single: list[str | None] = []
    for lon, lat in zip(lons.tolist(), lats.tolist(), strict=True):
        try:
            single.append(locate(lon, lat).grid_code)
        except OutsideGrids:
            single.append(None)
    assert bulk == single
    inside = [c for c in bulk if c]
    assert len(inside) > 1000 and len({c[:9] for c in inside}) == 13
    # Every located grid's boundary covers the point.
    grid = Grid.objects.get(code=inside[0])
    assert grid.boundaries.filter(valid_to__isnull=True).exists()


def test_the_index_is_built_once_and_rebuilt_when_boundaries_change(territory: dict[str, Grid]) -> None:
    builds = index_builds()
    locate(120.555, 31.405)
    locate(120.565, 31.405)
    assert index_builds() == builds + 1
    # Redraw 001 elsewhere (a new version, as the actions do): nothing covers the old spot any more.
    grid = territory["320507003201001"]
    current = grid.boundaries.get(valid_to__isnull=True)
    current.valid_to = NOW
    current.save()
    GridBoundary.objects.create(grid=grid, version=2, geometry=square(120.60, 31.60), valid_from=NOW)
    with pytest.raises(OutsideGrids):
        locate(120.555, 31.405)
    assert locate(120.605, 31.605).grid_code == "320507003201001"
    assert index_builds() == builds + 2


@override_settings(TERRITORY_LOCATE_CHECK_SECONDS=3600)
def test_other_processes_changes_are_seen_through_the_generation_key(territory: dict[str, Grid]) -> None:
    locate(120.555, 31.405)
    builds = index_builds()
    # A change made by another process: no signal here, only the rows change.
    GridBoundary.objects.filter(grid_id="320507105201001").update(valid_to=NOW)
    assert locate(120.655, 31.405).grid_code == "320507105201001"  # within the interval: cached
    locate_module._cache.checked_at = -1e18  # the interval has passed
    with pytest.raises(OutsideGrids):
        locate(120.655, 31.405)
    assert index_builds() == builds + 1
