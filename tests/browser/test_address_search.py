"""A resident types an address on the report form, picks a standard address, and the form and the map
take its point (the grid it lies in is named) — in Chromium, against the anonymous address API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache

from accounts.models import OrgUnit, Role
from accounts.testing import make_person
from registry import actions
from tests.browser.conftest import PageProblems, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_resident_picks_a_standard_address(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, Any]
) -> None:
    cache.clear()
    steward = make_person(
        "hq_steward", unit=OrgUnit.objects.get(code="320507003-gov"), role=Role.DATA_STEWARD
    )
    actions.do_create_address(
        territory_code="320507003201",
        street="春申路",
        door_number="88",
        lon=120.565,
        lat=31.405,
        actor=steward,
        now=NOW,
    )
    page.goto(f"{live_server.url}/grid/report/")
    page.wait_for_selector("[data-map-ready='true']")
    page.fill("#public-report-form [name='address']", "春申")
    option = page.wait_for_selector("[data-address-results] li[data-address-id]")
    assert "春申路88号" in option.inner_text()
    option.dispatch_event("mousedown")
    assert page.input_value("#public-report-form [name='address']") == "春申路88号"
    assert page.input_value("#public-report-form [name='lon']") == "120.5650000"
    assert page.input_value("#public-report-form [name='lat']") == "31.4050000"
    assert page.get_attribute("#public-map", "data-picked") == "120.565000,31.405000"
    assert "黄桥测试村第2网格" in page.inner_text("[data-address-note]")
    page.locator("[data-address-note]").scroll_into_view_if_needed()
    screenshot(page, "public-report-address-search")
    assert problems.errors == []
