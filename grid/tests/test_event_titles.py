"""Generated event titles name the place, never a code: the address the reporter wrote; else the registry's
nearest standard address within 80 m of the point ("…附近"), in the event's grid or village only; else the
grid's name."""

from __future__ import annotations

from typing import Any

import pytest

from grid.tests import test_event_support as support
from grid.tests.test_event_support import HQ_GRID, HQ_POINT, report
from registry.models import Address
from territory.models import Grid

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures

METRE = 1 / 111_320  # a metre of latitude, in degrees


def _address(territory: str, door: str, lat_offset_m: float) -> Address:
    return Address.objects.create(
        territory_code=territory,
        street="春申路",
        door_number=door,
        lon=HQ_POINT[0],
        lat=HQ_POINT[1] + lat_offset_m * METRE,
        text=f"春申路{door}",
        search_text=f"黄桥 春申路{door}",
    )


def test_the_nearest_registered_address_names_the_place(people: dict[str, Any]) -> None:
    _address(HQ_GRID[:12], "90号", 60)
    _address(HQ_GRID, "88号", 20)
    _address("320507105201", "1号", 0)  # another village: never named for this grid
    assert report(people).title == "暴露垃圾（春申路88号附近）"


def test_the_reporters_address_wins(people: dict[str, Any]) -> None:
    _address(HQ_GRID, "88号", 20)
    assert report(people, address="黄桥路12号").title == "暴露垃圾（黄桥路12号）"


def test_no_address_near_names_the_grid(people: dict[str, Any]) -> None:
    _address(HQ_GRID, "88号", 150)
    grid = Grid.objects.get(code=HQ_GRID)
    title = report(people).title
    assert title == f"暴露垃圾（{grid.name}）" and HQ_GRID not in title
