"""Key places feed the grid's patrol items: one item per place and inspection period, issued when the
period starts (by the hourly huey task), idempotent, the previous period's item retired; time frozen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from audit.models import AuditEvent
from grid.models import PatrolItem
from grid.patrols.key_places import do_issue_key_place_patrol_items, frequency_for, period_start
from grid.tasks import issue_key_place_patrol_items
from registry import actions as registry
from registry.models import KeyPlace

pytestmark = pytest.mark.django_db

GRID = "320507003201001"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Suzhou


@pytest.fixture
def places(personas: dict[str, Any]) -> dict[str, KeyPlace]:
    system = personas["system"]
    address = registry.do_create_address(
        territory_code=GRID, street="春申路", door_number="8", lon=120.555, lat=31.405, actor=system, now=NOW
    )

    def place(name: str, kind: str, days: int) -> KeyPlace:
        return registry.do_register_key_place(
            name=name,
            kind=kind,
            territory_code=GRID,
            inspection_days=days,
            address=address,
            actor=system,
            now=NOW,
        )

    return {
        "daily": place("春申加油站", "hazardous_chemicals", 1),
        "weekly": place("春申农贸市场", "crowded", 7),
        "monthly": place("春申小超市", "nine_small", 30),
    }


def items(place: KeyPlace) -> list[PatrolItem]:
    return list(PatrolItem.objects.filter(key_place=place).order_by("due_on"))


def test_periods_and_frequencies() -> None:
    monday = date(2026, 3, 2)
    assert period_start(7, monday) == monday and period_start(7, monday + timedelta(days=6)) == monday
    assert period_start(7, monday + timedelta(days=7)) == monday + timedelta(days=7)
    assert period_start(1, monday) == monday
    assert period_start(30, monday) == date(2026, 2, 19)  # 2024-01-01 + 26 × 30 days
    assert [frequency_for(d) for d in (1, 7, 30)] == ["daily", "weekly", "monthly"]


def test_first_run_issues_one_item_per_place(personas: dict[str, Any], places: dict[str, KeyPlace]) -> None:
    report = do_issue_key_place_patrol_items(actor=personas["system"], now=NOW)
    assert (report.places, report.issued, report.already_issued, report.retired) == (3, 3, 0, 0)
    [weekly] = items(places["weekly"])
    assert weekly.grid_id == GRID and weekly.active and weekly.due_on == date(2026, 3, 2)
    assert weekly.name == "重点场所巡查：春申农贸市场（人员密集场所）" and weekly.frequency == "weekly"
    assert (weekly.checkpoint, weekly.lon, weekly.lat) == ("春申路8号", 120.555, 31.405)
    assert items(places["monthly"])[0].due_on == date(2026, 2, 19)
    assert AuditEvent.objects.filter(action="grid.patrol_item_saved", subject_id=str(weekly.pk)).exists()


def test_a_second_run_in_the_same_period_issues_nothing(
    personas: dict[str, Any], places: dict[str, KeyPlace]
) -> None:
    do_issue_key_place_patrol_items(actor=personas["system"], now=NOW)
    again = do_issue_key_place_patrol_items(actor=personas["system"], now=NOW + timedelta(hours=5))
    assert (again.issued, again.already_issued) == (0, 3)
    assert PatrolItem.objects.filter(key_place__isnull=False).count() == 3


def test_a_new_period_issues_and_retires_the_previous_item(
    personas: dict[str, Any], places: dict[str, KeyPlace]
) -> None:
    do_issue_key_place_patrol_items(actor=personas["system"], now=NOW)
    week_later = do_issue_key_place_patrol_items(actor=personas["system"], now=NOW + timedelta(days=7))
    assert (week_later.issued, week_later.already_issued, week_later.retired) == (2, 1, 2)
    old, new = items(places["weekly"])
    assert (old.active, new.active) == (False, True) and new.due_on == date(2026, 3, 9)
    assert [i.active for i in items(places["monthly"])] == [True]  # its period runs to 2026-03-20
    assert len(items(places["daily"])) == 2


def test_places_on_a_retired_grid_are_skipped(personas: dict[str, Any], places: dict[str, KeyPlace]) -> None:
    from territory.models import Grid

    Grid.objects.filter(code=GRID).update(active=False)
    report = do_issue_key_place_patrol_items(actor=personas["system"], now=NOW)
    assert (report.issued, report.skipped) == (0, 3)


def test_the_hourly_task_issues_them_and_the_grid_lists_show_them(
    personas: dict[str, Any], places: dict[str, KeyPlace]
) -> None:
    with time_machine.travel(NOW, tick=False):
        assert issue_key_place_patrol_items.call_local()["issued"] == 3
        assert issue_key_place_patrol_items.call_local()["issued"] == 0
    client = APIClient()
    client.force_authenticate(personas["hq_grid"])
    body = client.get(f"/api/v1/grid/grids/{GRID}/lists/").json()
    issued = [i for i in body["patrol_items"] if i["key_place"] == places["weekly"].pk]
    assert [(i["due_on"], i["frequency"], i["active"]) for i in issued] == [("2026-03-02", "weekly", True)]
    outsider = APIClient()
    outsider.force_authenticate(personas["wt_grid"])
    assert outsider.get(f"/api/v1/grid/grids/{GRID}/lists/").status_code == 404
