"""English sessions of the pages a grid worker uses on the phone and of the residents' report and tracking
pages show no Chinese outside proper names and user data (the staff desk pages have their own test:
tests/test_english_staff_pages.py). Each page is fetched as the person who uses it; a resident's pages
anonymously."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.test_english_staff_pages import data_names, untranslated

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Suzhou


@pytest.fixture
def field(personas: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    from grid.events.report import do_report_event
    from grid.standards.actions import do_seed_reference

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        do_seed_reference(actor=personas["system"], now=NOW)
        patrol_event = do_report_event(
            actor=personas["hq_grid"],
            now=NOW,
            channel="patrol",
            category_code="0102",
            description="路口绿化带旁有成堆的生活垃圾",
            lon=120.555,
            lat=31.405,
        )
        resident_event = do_report_event(
            actor=None,
            now=NOW,
            channel="resident_web",
            category_code="0104",
            description="小区门口道路有油污",
            lon=120.555,
            lat=31.405,
        )
    return {**personas, "patrol_event": patrol_event, "resident_event": resident_event}


def _english(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _assert_english(client: Client, url: str) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client.get(url, follow=True)
    assert response.status_code == 200, url
    assert untranslated(response.content.decode(), data_names()) == [], url


@pytest.mark.parametrize(
    "url",
    [
        "/grid/m/",
        "/grid/m/report/",
        "/grid/m/events/",
        "/grid/m/events/{patrol_event}/",
        "/grid/m/households/new/",
        "/grid/registry-changes/",
        "/grid/m/records/",
        "/party/needs/",
    ],
)
def test_grid_worker_phone_page_in_english(field: dict[str, Any], url: str) -> None:
    _assert_english(_english(field["hq_grid"]), url.format(patrol_event=field["patrol_event"].pk))


def test_patrol_page_in_english(field: dict[str, Any]) -> None:
    from grid.patrols.actions import do_start_patrol
    from territory.models import Grid

    grid = Grid.objects.get(code="320507003201001")
    with time_machine.travel(NOW, tick=False):
        patrol = do_start_patrol(grid, actor=field["hq_grid"], now=NOW)
    _assert_english(_english(field["hq_grid"]), f"/grid/m/patrol/{patrol.pk}/")


@pytest.mark.parametrize(
    "url",
    ["/", "/grid/report/", "/grid/track/", "/grid/track/{receipt}/", "/grid/report/{receipt}/done/"],
)
def test_resident_page_in_english(field: dict[str, Any], url: str) -> None:
    _assert_english(_english(None), url.format(receipt=field["resident_event"].receipt_number))
