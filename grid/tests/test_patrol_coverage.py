"""patrol_coverage(): check-ins done / due, hand-computed over a fortnight, and equal to the definition walked
day by day over many periods."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.errors import DomainError
from grid.models import PatrolItem
from grid.patrols.actions import do_check_in, do_end_patrol, do_start_patrol
from grid.patrols.selectors import _local_day, _slot, _slot_end, coverage_by_item, patrol_coverage
from grid.standards.actions import do_add_patrol_item
from territory.models import Grid

pytestmark = pytest.mark.django_db

HQ_GRID = "320507003201001"
# Monday 2 March 2026 00:00 to Monday 16 March 00:00, Asia/Shanghai (UTC+8): 14 days, ISO weeks 10 and 11.
START = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
END = datetime(2026, 3, 15, 16, 0, tzinfo=UTC)
CREATED = datetime(2026, 2, 20, 1, 0, tzinfo=UTC)


@pytest.fixture
def items(personas: dict[str, Any]) -> dict[str, PatrolItem]:
    system, grid = personas["system"], Grid.objects.get(code=HQ_GRID)
    return {
        "daily": do_add_patrol_item(grid, name="消防通道", frequency="daily", actor=system, now=CREATED),
        "weekly": do_add_patrol_item(grid, name="占道经营", frequency="weekly", actor=system, now=CREATED),
        "monthly": do_add_patrol_item(grid, name="河道", frequency="monthly", actor=system, now=CREATED),
    }


def _round(worker: Any, at: datetime, *items: PatrolItem) -> None:
    patrol = do_start_patrol(Grid.objects.get(code=HQ_GRID), actor=worker, now=at)
    for item in items:
        do_check_in(patrol, item, actor=worker, now=at)
    do_end_patrol(patrol, actor=worker, now=at + timedelta(minutes=30))


def test_coverage_counts_each_slot_once(personas: dict[str, Any], items: dict[str, PatrolItem]) -> None:
    worker = personas["hq_grid"]
    # Due: daily 14 + weekly 2 + monthly 1 = 17.
    assert patrol_coverage([HQ_GRID], START, END) == (0, 17)
    # Day 1 (Mon 2 Mar 09:00 local): all three; day 1 again in the afternoon: daily + weekly (no new slot).
    _round(worker, datetime(2026, 3, 2, 1, 0, tzinfo=UTC), items["daily"], items["weekly"], items["monthly"])
    _round(worker, datetime(2026, 3, 2, 6, 0, tzinfo=UTC), items["daily"], items["weekly"])
    # Sun 8 Mar 23:30 local = 15:30 UTC: still ISO week 10 and day 8 → one daily slot, weekly already done.
    _round(worker, datetime(2026, 3, 8, 15, 30, tzinfo=UTC), items["daily"], items["weekly"])
    # Mon 9 Mar 00:30 local = 8 Mar 16:30 UTC: day 9 and week 11.
    _round(worker, datetime(2026, 3, 8, 16, 30, tzinfo=UTC), items["daily"], items["weekly"])
    # Before the period and after it: not counted.
    _round(worker, datetime(2026, 3, 1, 15, 0, tzinfo=UTC), items["daily"], items["weekly"], items["monthly"])
    _round(worker, datetime(2026, 3, 15, 16, 0, tzinfo=UTC), items["daily"])
    # daily: days 2, 8, 9 = 3; weekly: weeks 10, 11 = 2; monthly: March = 1.
    assert patrol_coverage([HQ_GRID], START, END) == (6, 17)
    # The village and town codes cover the same grid; the other town does not.
    assert patrol_coverage(["320507003201"], START, END) == (6, 17)
    assert patrol_coverage(["320507003"], START, END) == (6, 17)
    assert patrol_coverage(["320507105"], START, END) == (0, 0)


def test_items_created_in_the_period_and_inactive_items(
    personas: dict[str, Any], items: dict[str, PatrolItem]
) -> None:
    system, grid = personas["system"], Grid.objects.get(code=HQ_GRID)
    # Created on Thu 12 Mar 10:00 local: daily due 12–15 (4), weekly due in week 11 (1).
    do_add_patrol_item(
        grid, name="新事项", frequency="daily", actor=system, now=datetime(2026, 3, 12, 2, tzinfo=UTC)
    )
    do_add_patrol_item(
        grid, name="新周事项", frequency="weekly", actor=system, now=datetime(2026, 3, 12, 2, tzinfo=UTC)
    )
    # Created after the period: not due.
    do_add_patrol_item(grid, name="以后", frequency="daily", actor=system, now=END + timedelta(days=1))
    assert patrol_coverage([HQ_GRID], START, END) == (0, 17 + 4 + 1)
    items["monthly"].active = False
    items["monthly"].save(update_fields=["active"])
    assert patrol_coverage([HQ_GRID], START, END) == (0, 16 + 4 + 1)


def test_edges(items: dict[str, PatrolItem]) -> None:
    assert patrol_coverage([], START, END) == (0, 0)
    assert patrol_coverage([HQ_GRID], END, START) == (0, 0)
    # A single local day: daily 1, weekly 1, monthly 1.
    assert patrol_coverage([HQ_GRID], START, START + timedelta(days=1)) == (0, 3)
    with pytest.raises(DomainError) as exc:
        patrol_coverage(["32x"], START, END)
    assert exc.value.field == "grid_codes"


def _coverage_day_by_day(
    items: list[PatrolItem], check_ins: list[tuple[int, datetime]], start: datetime, end: datetime
) -> tuple[int, int]:
    """The module docstring's definition, walked day by day for each item that exists before the period's
    end (the reference)."""
    items = [item for item in items if item.created_at < end]
    first, last = _local_day(start), _local_day(end - timedelta(microseconds=1))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    due: dict[int, set[Any]] = {}
    for item in items:
        created = _local_day(item.created_at)
        due[item.pk] = {_slot(d, item.frequency) for d in days if _slot_end(d, item.frequency) >= created}
    frequency = {item.pk: item.frequency for item in items}
    done = {
        (item_id, _slot(_local_day(at), frequency[item_id]))
        for item_id, at in check_ins
        if item_id in frequency
        and start <= at < end
        and _slot(_local_day(at), frequency[item_id]) in due[item_id]
    }
    return len(done), sum(len(slots) for slots in due.values())


def test_coverage_equals_the_day_by_day_definition_over_many_periods(personas: dict[str, Any]) -> None:
    """Items of every frequency created before, inside and after the periods; check-ins over three months
    across a year's end (ISO week 1 of 2026 starts on 29 December 2025); periods of one day to a quarter
    starting on any weekday."""
    rng = random.Random(11)
    system, worker, grid = personas["system"], personas["hq_grid"], Grid.objects.get(code=HQ_GRID)
    origin = datetime(2025, 11, 20, 16, 0, tzinfo=UTC)  # 21 November 2025, local midnight
    items = [
        do_add_patrol_item(
            grid,
            name=f"事项{n}",
            frequency=frequency,
            actor=system,
            now=origin + timedelta(hours=rng.randrange(0, 24 * 80)),
        )
        for n, frequency in enumerate(["daily", "weekly", "monthly"] * 3)
    ]
    check_ins: list[tuple[int, datetime]] = []
    at = origin + timedelta(days=1)
    while at < origin + timedelta(days=95):
        patrol = do_start_patrol(grid, actor=worker, now=at)
        for item in rng.sample(items, 3):
            if item.created_at <= at:
                do_check_in(patrol, item, actor=worker, now=at)
                check_ins.append((item.pk, at))
        do_end_patrol(patrol, actor=worker, now=at + timedelta(minutes=10))
        at += timedelta(hours=rng.randrange(5, 60))
    assert len(check_ins) > 50
    for _ in range(40):
        start = origin + timedelta(days=rng.randrange(0, 80))
        end = start + timedelta(days=rng.choice([1, 2, 6, 7, 9, 31, 45, 92]))
        expected = _coverage_day_by_day(items, check_ins, start, end)
        assert patrol_coverage([HQ_GRID], start, end) == expected
        # The slot lists behind the command centre's drill-down and unit cuts add up to the same figure.
        slots = coverage_by_item([HQ_GRID], start, end)
        assert (sum(len(c.done) for c in slots), sum(len(c.due) for c in slots)) == expected
