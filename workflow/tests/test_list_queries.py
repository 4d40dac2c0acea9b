"""The work-item list (API and the /work/ page) makes the same number of queries for 5 rows as for 50:
no lookup per row (the unit's working hours, the pinned definition, the assignee and the names of the
grids and divisions come from the process caches)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import OrgUnit
from core.testing import queries_of
from territory.testing import GRID_CODES, HUANGQIAO, HUANGQIAO_VILLAGE, WEITANG_VILLAGE
from workflow.bulk import StartSpec, do_start_items_bulk
from workflow.tests.conftest import GRID, URBAN, at

pytestmark = pytest.mark.django_db

NOW = at(2026, 10, 8, 10)
# Items filed on grids, villages and a town: the inbox names each, and more rows name more places.
PLACES = [*GRID_CODES, HUANGQIAO_VILLAGE, WEITANG_VILLAGE, HUANGQIAO]


def start(personas: dict[str, Any], n: int, places: list[str] | None = None) -> None:
    unit = OrgUnit.objects.get(code=URBAN)
    codes = places or [GRID]
    specs = [
        StartSpec(
            title=f"事件{i}",
            territory_code=codes[i % len(codes)],
            assigned_unit=unit,
            assignee=personas["hq_agency"],
        )
        for i in range(n)
    ]
    do_start_items_bulk("sample_complaint", specs, actor=personas["dispatcher"], now=at(2026, 10, 8, 9))


def test_the_api_list_makes_the_same_queries_for_5_and_50_rows(personas: dict[str, Any]) -> None:
    client = APIClient()
    client.force_authenticate(personas["dispatcher"])

    def page() -> Any:
        with time_machine.travel(NOW, tick=False):
            response = client.get("/api/v1/work-items/", {"page_size": 50})
        assert response.status_code == 200
        return response.json()

    start(personas, 5)
    five, body = queries_of(page)
    assert len(body["results"]) == 5 and body["count"] == 5 and body["count_capped"] is False
    assert body["results"][0]["time_left"] is not None  # the working-time arithmetic ran per row
    start(personas, 45)
    fifty, body = queries_of(page)
    assert len(body["results"]) == 50
    assert len(fifty) == len(five), "\n".join(fifty)
    assert not any("JOIN" in sql and "process_version" in sql and "definition" in sql for sql in fifty)


def test_the_inbox_page_makes_the_same_queries_for_5_and_50_rows(personas: dict[str, Any]) -> None:
    client = Client()
    client.force_login(personas["dispatcher"])

    def page() -> Any:
        with time_machine.travel(NOW, tick=False):
            response = client.get("/work/", {"scope": "all"})
        assert response.status_code == 200
        return response.content.decode()

    start(personas, 5, PLACES[:5])
    five, html = queries_of(page)
    assert html.count("事件") >= 5
    start(personas, 45, PLACES)
    fifty, html = queries_of(page)
    assert "事件44" in html
    assert len(fifty) == len(five), "\n".join(fifty)
    # Every place is named, its code kept only as the cell's title (never a bare code in a cell).
    for name in ["黄桥测试村第1网格", "渭塘测试村第2网格", "黄桥测试村", "渭塘测试村", "黄桥街道"]:
        assert f">{name}</span></td>" in html, name
    for code in PLACES:
        assert f"<td>{code}</td>" not in html and f'title="{code}"' in html, code
