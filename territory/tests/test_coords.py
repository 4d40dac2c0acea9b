"""GCJ-02 ↔ WGS-84: the forward transform against an independent implementation, the inverse's error."""

from __future__ import annotations

import numpy as np
import pytest
from fast_geocn import wgs84_to_gcj02 as reference_wgs84_to_gcj02

from territory.coords import (
    gcj02_to_wgs84,
    gcj02_to_wgs84_array,
    outside_china,
    wgs84_to_gcj02,
    wgs84_to_gcj02_array,
)

POINTS = [(120.6, 31.45), (116.397, 39.909), (113.26, 23.13), (87.6, 43.8), (121.47, 31.23), (100.0, 22.0)]


@pytest.mark.parametrize(("lon", "lat"), POINTS)
def test_forward_matches_the_published_transform(lon: float, lat: float) -> None:
    ours = wgs84_to_gcj02(lon, lat)
    theirs = reference_wgs84_to_gcj02(lon, lat)
    assert ours == pytest.approx(theirs, abs=1e-9)
    # The shift is a few hundred metres, not nothing.
    assert 1e-4 < abs(ours[0] - lon) + abs(ours[1] - lat) < 1e-2


def test_round_trip_error_below_a_millionth_of_a_degree() -> None:
    rng = np.random.default_rng(7)
    lons = rng.uniform(73.0, 135.0, 2000)
    lats = rng.uniform(18.0, 53.0, 2000)
    worst = 0.0
    for lon, lat in zip(lons.tolist(), lats.tolist(), strict=True):
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
        worst = max(worst, abs(back[0] - lon), abs(back[1] - lat))
    assert worst < 1e-6


def test_arrays_agree_with_single_points() -> None:
    rng = np.random.default_rng(11)
    lons = rng.uniform(120.3, 120.85, 500)
    lats = rng.uniform(31.33, 31.56, 500)
    g_lon, g_lat = wgs84_to_gcj02_array(lons, lats)
    w_lon, w_lat = gcj02_to_wgs84_array(g_lon, g_lat)
    assert np.max(np.abs(w_lon - lons)) < 1e-6 and np.max(np.abs(w_lat - lats)) < 1e-6
    for i in range(0, 500, 50):
        assert (g_lon[i], g_lat[i]) == pytest.approx(wgs84_to_gcj02(lons[i], lats[i]), abs=1e-12)
        assert (w_lon[i], w_lat[i]) == pytest.approx(gcj02_to_wgs84(g_lon[i], g_lat[i]), abs=1e-9)


def test_outside_china_is_unchanged() -> None:
    assert outside_china(2.35, 48.85)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)
    lon, lat = gcj02_to_wgs84_array(np.array([2.35, 120.6]), np.array([48.85, 31.45]))
    assert (lon[0], lat[0]) == (2.35, 48.85)
    assert lon[1] != 120.6
