"""GET requests.json makes the same number of queries for 5 requests as for 50 (the category, grid, the
work item's unit and pinned definition from the process caches; photos and outcomes one query each)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from core.testing import queries_of
from grid.events.bulk import do_report_events_bulk
from open311.tests.conftest import json_of

pytestmark = pytest.mark.django_db


def intake(personas: dict[str, Any], now: datetime, first: int, n: int) -> None:
    rows = [
        {
            "channel": "hotline",
            "category_code": ("0102", "0402")[i % 2],
            "description": f"第{i}号：路口有成堆的生活垃圾",
            "lon": 120.555,
            "lat": 31.405,
        }
        for i in range(first, first + n)
    ]
    do_report_events_bulk(rows, actor=personas["dispatcher"], now=now - timedelta(hours=1))


def test_the_list_makes_the_same_queries_for_5_and_50_rows(
    client: Client, reference: dict[str, int], personas: dict[str, Any], now: datetime
) -> None:
    def page() -> Any:
        response = client.get("/open311/v2/requests.json", {"page_size": 50})
        assert response.status_code == 200
        return json_of(response)

    intake(personas, now, 0, 5)
    five, rows = queries_of(page)
    assert len(rows) == 5 and rows[0]["agency_responsible"] == ""
    intake(personas, now, 5, 45)
    fifty, rows = queries_of(page)
    assert len(rows) == 50
    assert len(fifty) == len(five), "\n".join(fifty)
