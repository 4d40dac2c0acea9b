"""The cases list (API) and the /enforcement/ page make the same number of queries for 5 cases as for 50:
`time_left()` needs each work item's unit (its working hours), which now comes from the process cache
instead of one query per row (it was 9 queries for 5 rows, 30 for 40)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from core.testing import queries_of
from enforcement.actions import do_open_case
from enforcement.tests.conftest import client_for

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CASE = {
    "procedure": "ordinary",
    "source": "patrol",
    "matter": "CG-003",
    "territory_code": "320507003201001",
    "address": "黄桥街道春申路口",
    "party_kind": "natural",
    "party_name": "张三",
    "party_number": "320507198001011231",
    "facts": "在春申路人行道上摆摊经营水果。",
    "circumstance_level": "ordinary",
    "proposed_fine": "200",
    "officers": ["hq_officer", "hq_officer2"],
}


def open_cases(people: dict[str, Any], n: int) -> None:
    for _ in range(n):
        do_open_case(dict(CASE), actor=people["hq_officer"], now=OPENED)


def test_the_api_list_makes_the_same_queries_for_5_and_50_rows(people: dict[str, Any]) -> None:
    client = client_for(people["hq_squad_leader"])

    def page() -> Any:
        with time_machine.travel(NOW, tick=False):
            response = client.get("/api/v1/enforcement/cases/", {"page_size": 50})
        assert response.status_code == 200
        return response.json()

    page()  # the caller's jurisdiction is read once per user object
    open_cases(people, 5)
    five, body = queries_of(page)
    assert len(body["results"]) == 5 and body["results"][0]["time_left"]
    open_cases(people, 45)
    fifty, body = queries_of(page)
    assert len(body["results"]) == 50
    assert len(fifty) == len(five), "\n".join(fifty)


def test_the_cases_page_makes_the_same_queries_for_5_and_25_rows(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["hq_squad_leader"])

    def page() -> str:
        with time_machine.travel(NOW, tick=False):
            response = client.get("/enforcement/", {"view": "all"})
        assert response.status_code == 200
        return response.content.decode()

    open_cases(people, 5)
    five, _html = queries_of(page)
    open_cases(people, 45)
    fifty, _html = queries_of(page)  # a page holds 25
    assert len(fifty) == len(five), "\n".join(fifty)
