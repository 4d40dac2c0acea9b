"""The grid event lists (the API list and the dispatcher's queue pages) make the same number of queries
for 5 rows as for 50: the category, grid, village, reporter, original and the work item's unit and
pinned definition come from the process caches or one query per page, never one per row."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import time_machine
from django.test import Client

from core.testing import queries_of
from grid.events.bulk import do_report_events_bulk
from grid.tests.test_event_support import HQ_POINT, HQ_POINT_2, act, at, client_for, media, people, report
from territory.models import Grid

__all__ = ["media", "people"]  # the fixtures

pytestmark = pytest.mark.django_db

NOW = at(3, 4, 10)


def intake(people: dict[str, Any], n: int, first: int) -> None:
    rows = [
        {
            "channel": "hotline",
            "category_code": ("0102", "0402")[i % 2],
            "description": f"第{first + i}号：路口有成堆的生活垃圾",
            "lon": (HQ_POINT, HQ_POINT_2)[i % 2][0],
            "lat": HQ_POINT[1],
            "reporter_phone": "13800138000",
            "reporter_name": "王小明",
        }
        for i in range(n)
    ]
    do_report_events_bulk(rows, actor=people["dispatcher"], now=at(3, 4, 9))


@pytest.fixture
def handled(people: dict[str, Any]) -> None:
    """One filed and dispatched event (a unit holds it) and one marked duplicate (it has an original),
    reported after the bulk intake's rows: on the first page of every list, newest first."""
    original = report(people, who="dispatcher", channel="hotline", now=at(3, 4, 9, 30))
    act(original, "file", people, "dispatcher", at(3, 4, 9, 35))
    act(
        original,
        "dispatch",
        people,
        "dispatcher",
        at(3, 4, 9, 40),
        inputs={"assigned_unit": "320507003-urban"},
    )
    copy = report(people, who="dispatcher", channel="hotline", now=at(3, 4, 9, 45))
    act(
        copy,
        "mark_duplicate",
        people,
        "dispatcher",
        at(3, 4, 9, 50),
        inputs={"original": original.receipt_number},
    )


def test_the_api_list_makes_the_same_queries_for_5_and_50_rows(people: dict[str, Any], handled: None) -> None:
    client = client_for(people["dispatcher"])

    def page() -> Any:
        with time_machine.travel(NOW, tick=False):
            response = client.get("/api/v1/grid/events/", {"page_size": 60})
        assert response.status_code == 200
        return response.json()

    intake(people, 3, 0)
    five, body = queries_of(page)
    assert len(body["results"]) == 5
    rows = {row["state"]: row for row in body["results"]}
    assert rows["dispatched"]["assigned_unit"]["code"] == "320507003-urban"
    assert rows["duplicate"]["duplicate_of"] and rows["reported"]["reporter_phone"] == "138****8000"
    intake(people, 45, 3)
    fifty, body = queries_of(page)
    assert len(body["results"]) == 50
    assert len(fifty) == len(five), "\n".join(fifty)
    assert all(sql.count("JOIN") <= 2 for sql in fifty), "\n".join(fifty)  # not the 11-table join


@pytest.mark.parametrize("queue", ["review", "all", "dispatch", "late"])
def test_the_queue_pages_make_the_same_queries_for_5_and_50_rows(
    people: dict[str, Any], handled: None, queue: str
) -> None:
    client = Client()
    client.force_login(people["dispatcher"])
    village = Grid.objects.select_related("village").get(pk="320507003201001").village.name

    def page() -> str:
        with time_machine.travel(NOW, tick=False):
            response = client.get("/grid/dispatch/" if queue == "review" else f"/grid/dispatch/{queue}/")
        assert response.status_code == 200
        return response.content.decode()

    intake(people, 3, 0)
    five, html = queries_of(page)
    assert village in html or queue in ("dispatch", "late")
    intake(people, 45, 3)
    fifty, html = queries_of(page)
    assert len(fifty) == len(five), "\n".join((Counter(fifty) - Counter(five)).elements())
