"""A grid event named as the subject of `POST /api/v1/work-items/` (the generic door, which starts only
processes no stream owns: a `grid_event` item starts where the event is reported, workflow/tests/
test_generic_start.py): the outsider from another town gets the same 404 for an existing 黄桥 event as
for a missing one, and an event that has its own work item cannot be given a second one — nothing is
written either way."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from grid.tests import test_event_support as support
from grid.tests.test_event_support import WT_GRID, at, client_for, report
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures


def start(people: dict[str, Any], who: str, territory_code: str, subject_id: str) -> Any:
    body = {
        "process": "sample_complaint",
        "title": "借用他镇事件",
        "territory_code": territory_code,
        "subject_type": "grid.gridevent",
        "subject_id": subject_id,
    }
    with time_machine.travel(at(3, 2, 10), tick=False):
        return client_for(people[who]).post("/api/v1/work-items/", body, format="json")


def test_outsider_naming_another_towns_event_is_404_like_a_missing_one(people: dict[str, Any]) -> None:
    event = report(people)
    items = WorkItem.objects.count()
    existing = start(people, "wt_grid", WT_GRID, str(event.pk))
    missing = start(people, "wt_grid", WT_GRID, str(event.pk + 1000))
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()
    assert existing.json()["errors"][0]["field"] == "subject_id"
    assert WorkItem.objects.count() == items


def test_an_event_with_its_own_item_gets_no_second_one(people: dict[str, Any]) -> None:
    event = report(people)
    items = WorkItem.objects.count()
    again = start(people, "hq_grid", event.territory_code, str(event.pk))
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "subject_taken"
    assert WorkItem.objects.count() == items
