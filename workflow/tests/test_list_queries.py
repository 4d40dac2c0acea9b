"""The work-item list (API and the /work/ page) makes the same number of queries for 5 rows as for 50:
no lookup per row (the unit's working hours, the pinned definition and the assignee come from the
process caches)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import OrgUnit
from core.testing import queries_of
from workflow.bulk import StartSpec, do_start_items_bulk
from workflow.tests.conftest import GRID, URBAN, at

pytestmark = pytest.mark.django_db

NOW = at(2026, 10, 8, 10)


def start(personas: dict[str, Any], n: int) -> None:
    unit = OrgUnit.objects.get(code=URBAN)
    specs = [
        StartSpec(title=f"事件{i}", territory_code=GRID, assigned_unit=unit, assignee=personas["hq_agency"])
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

    start(personas, 5)
    five, html = queries_of(page)
    assert html.count("事件") >= 5
    start(personas, 45)
    fifty, html = queries_of(page)
    assert "事件44" in html
    assert len(fifty) == len(five), "\n".join(fifty)
