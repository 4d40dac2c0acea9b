"""The applications list (API) and the staff worklist page make the same number of queries for 5
applications as for 50: no lookup per row (the work item's unit, pinned definition and assignee come
from the process caches)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from approvals.actions import ApplicantInput, IntakeSpec, do_file_applications_bulk
from approvals.testing import CONFIRM_CODE, LICENCE_CODE, PHONE
from core.testing import queries_of
from core.testing_codes import citizen_id

pytestmark = pytest.mark.django_db


def intake(setup: dict[str, Any], now: datetime, first: int, n: int) -> None:
    specs = []
    for i in range(first, first + n):
        code = (LICENCE_CODE, CONFIRM_CODE)[i % 2]
        materials = ("营业执照",) if code == LICENCE_CODE else ("居民身份证",)
        applicant = ApplicantInput("natural", f"申请人{i}", citizen_id(i), PHONE)
        specs.append(IntakeSpec(item_code=code, applicant=applicant, materials=materials))
    do_file_applications_bulk(specs, centre=setup["hq_centre"], actor=setup["hq_clerk"], now=now)


def test_the_api_list_makes_the_same_queries_for_5_and_50_rows(setup: dict[str, Any], now: datetime) -> None:
    client = APIClient()
    client.force_authenticate(setup["hq_clerk"])

    def page() -> Any:
        with time_machine.travel(now, tick=False):
            response = client.get("/api/v1/approvals/applications/", {"page_size": 50})
        assert response.status_code == 200
        return response.json()

    intake(setup, now, 0, 5)
    five, body = queries_of(page)
    assert len(body["results"]) == 5 and body["results"][0]["handling_unit"]
    intake(setup, now, 5, 45)
    fifty, body = queries_of(page)
    assert len(body["results"]) == 50
    assert len(fifty) == len(five), "\n".join(fifty)


def test_the_worklist_page_makes_the_same_queries_for_5_and_50_rows(
    setup: dict[str, Any], now: datetime
) -> None:
    client = Client()
    client.force_login(setup["hq_clerk"])

    def page() -> str:
        with time_machine.travel(now, tick=False):
            response = client.get("/approvals/applications/")
        assert response.status_code == 200
        return response.content.decode()

    intake(setup, now, 0, 5)
    five, html = queries_of(page)
    assert html.count("data-receipt=") >= 5
    intake(setup, now, 5, 45)
    fifty, html = queries_of(page)
    assert html.count("data-receipt=") >= 50
    assert len(fifty) == len(five), "\n".join(fifty)
