"""Patrols: start (own grid worker only, one open at a time), check in (own grid's items, once, inside
the grid, GCJ-02 accepted) and end; each writes an audit row."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotFound, PermissionRefused, Unprocessable
from grid.models import Patrol, PatrolCheckIn, PatrolItem
from grid.patrols.actions import do_check_in, do_end_patrol, do_start_patrol
from grid.standards.actions import do_add_patrol_item
from territory.coords import wgs84_to_gcj02
from territory.models import Grid

pytestmark = pytest.mark.django_db

HQ_GRID = "320507003201001"
HQ_GRID_2 = "320507003201002"
INSIDE = (120.555, 31.405)  # inside 黄桥 grid 001 (WGS-84)
IN_GRID_2 = (120.565, 31.405)


@pytest.fixture
def items(personas: dict[str, Any], now: datetime) -> dict[str, PatrolItem]:
    system = personas["system"]
    grid, other = Grid.objects.get(code=HQ_GRID), Grid.objects.get(code=HQ_GRID_2)
    return {
        "fire": do_add_patrol_item(grid, name="消防通道", frequency="daily", actor=system, now=now),
        "stalls": do_add_patrol_item(grid, name="占道经营", frequency="weekly", actor=system, now=now),
        "other": do_add_patrol_item(other, name="河道", frequency="daily", actor=system, now=now),
    }


def test_start_check_in_end(personas: dict[str, Any], items: dict[str, PatrolItem], now: datetime) -> None:
    worker = personas["hq_grid"]
    patrol = do_start_patrol(Grid.objects.get(code=HQ_GRID), actor=worker, now=now)
    assert patrol.ended_at is None and patrol.worker == worker
    check_in = do_check_in(
        patrol, items["fire"], actor=worker, now=now + timedelta(minutes=5), lon=INSIDE[0], lat=INSIDE[1]
    )
    assert (check_in.lon, check_in.lat, check_in.normal) == (INSIDE[0], INSIDE[1], True)
    do_check_in(
        patrol, items["stalls"], actor=worker, now=now + timedelta(minutes=9), normal=False, note="有摊"
    )
    ended = do_end_patrol(patrol, actor=worker, now=now + timedelta(minutes=20))
    assert ended.ended_at == now + timedelta(minutes=20)
    actions = list(
        AuditEvent.objects.filter(action__startswith="grid.patrol_")
        .exclude(action="grid.patrol_item_saved")
        .values_list("action", flat=True)
    )
    assert actions == [
        "grid.patrol_started",
        "grid.patrol_checked_in",
        "grid.patrol_checked_in",
        "grid.patrol_ended",
    ]


def test_gcj02_position_is_converted(
    personas: dict[str, Any], items: dict[str, PatrolItem], now: datetime
) -> None:
    worker = personas["hq_grid"]
    patrol = do_start_patrol(Grid.objects.get(code=HQ_GRID), actor=worker, now=now)
    gcj = wgs84_to_gcj02(*INSIDE)
    check_in = do_check_in(patrol, items["fire"], actor=worker, now=now, lon=gcj[0], lat=gcj[1], crs="gcj02")
    assert check_in.lon == pytest.approx(INSIDE[0], abs=1e-5)
    assert check_in.lat == pytest.approx(INSIDE[1], abs=1e-5)


def test_only_the_grids_own_worker(
    personas: dict[str, Any], items: dict[str, PatrolItem], now: datetime
) -> None:
    grid = Grid.objects.get(code=HQ_GRID)
    with pytest.raises(NotFound):
        do_start_patrol(grid, actor=personas["wt_grid"], now=now)  # the outsider
    for name in ("dispatcher", "hq_agency", "hq_leader"):
        with pytest.raises(PermissionRefused):
            do_start_patrol(grid, actor=personas[name], now=now)
    with pytest.raises(NotFound):  # hq_grid's jurisdiction is grid 001 only; 002 is outside it
        do_start_patrol(Grid.objects.get(code=HQ_GRID_2), actor=personas["hq_grid"], now=now)
    assert not Patrol.objects.exists()


def test_one_open_patrol_at_a_time(
    personas: dict[str, Any], items: dict[str, PatrolItem], now: datetime
) -> None:
    worker, grid = personas["hq_grid"], Grid.objects.get(code=HQ_GRID)
    patrol = do_start_patrol(grid, actor=worker, now=now)
    with pytest.raises(Conflict) as exc:
        do_start_patrol(grid, actor=worker, now=now + timedelta(minutes=1))
    assert exc.value.status == 409
    do_end_patrol(patrol, actor=worker, now=now + timedelta(minutes=2))
    with pytest.raises(Conflict):
        do_end_patrol(patrol, actor=worker, now=now + timedelta(minutes=3))
    assert do_start_patrol(grid, actor=worker, now=now + timedelta(minutes=4)).pk != patrol.pk


def test_check_in_refusals(personas: dict[str, Any], items: dict[str, PatrolItem], now: datetime) -> None:
    worker = personas["hq_grid"]
    patrol = do_start_patrol(Grid.objects.get(code=HQ_GRID), actor=worker, now=now)
    with pytest.raises(DomainError) as exc:
        do_check_in(patrol, items["other"], actor=worker, now=now)
    assert exc.value.field == "patrol_item"
    with pytest.raises(Unprocessable) as exc:
        do_check_in(patrol, items["fire"], actor=worker, now=now, lon=IN_GRID_2[0], lat=IN_GRID_2[1])
    assert exc.value.field == "lon" and "不在本网格" in exc.value.message
    with pytest.raises(Unprocessable):
        do_check_in(patrol, items["fire"], actor=worker, now=now, lon=116.4, lat=39.9)  # Beijing
    with pytest.raises(DomainError) as exc:
        do_check_in(patrol, items["fire"], actor=worker, now=now, lon=INSIDE[0], lat=95.0)
    assert exc.value.field == "lat"
    with pytest.raises(DomainError) as exc:
        do_check_in(patrol, items["fire"], actor=worker, now=now, lon=INSIDE[0], lat=INSIDE[1], crs="bd09")
    assert exc.value.field == "crs"
    with pytest.raises(DomainError) as exc:
        do_check_in(patrol, items["fire"], actor=worker, now=now, lon=INSIDE[0])
    assert exc.value.field == "lat"
    with pytest.raises(DomainError) as exc:
        do_check_in(patrol, items["fire"], actor=worker, now=now, normal=False)
    assert exc.value.field == "note"
    with pytest.raises(PermissionRefused):
        do_check_in(patrol, items["fire"], actor=personas["dispatcher"], now=now)
    with pytest.raises(NotFound):
        do_check_in(patrol, items["fire"], actor=personas["wt_grid"], now=now)
    assert not PatrolCheckIn.objects.exists()

    do_check_in(patrol, items["fire"], actor=worker, now=now)
    with pytest.raises(Conflict):
        do_check_in(patrol, items["fire"], actor=worker, now=now + timedelta(minutes=1))
    do_end_patrol(patrol, actor=worker, now=now + timedelta(minutes=2))
    with pytest.raises(Conflict):
        do_check_in(patrol, items["stalls"], actor=worker, now=now + timedelta(minutes=3))
    assert PatrolCheckIn.objects.count() == 1
