"""English sessions of the main staff pages show no Chinese outside proper names and user data: the home page,
the work inbox, the dispatch queue, the window, the enforcement list and the command desk, each as the
persona who works there. Names and data (units, people, places, categories, catalogue items, event texts)
are taken from the database and left out; what remains must be English."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.test_portal import visible_text

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Suzhou
# A run of Chinese with its punctuation and the words around it, so a failure names the whole phrase.
PUNCT = "\uff08\uff09\u3001\u3002\uff0c\uff1a\u201c\u201d\u00b7"
HAN_RUN = re.compile(rf"[\u3400-\u9fff{PUNCT}\w/ -]*[\u3400-\u9fff]+[\u3400-\u9fff{PUNCT}\w-]*")
HAN = re.compile(r"[\u3400-\u9fff]")
# An English label followed by Chinese punctuation ("Reason：") is a colon left untranslated.
LATIN_THEN_FULLWIDTH = re.compile(r"[A-Za-z][\uff1a\uff0c]")
PAGES = [
    ("dispatcher", "/"),
    ("dispatcher", "/work/"),
    ("dispatcher", "/grid/dispatch/"),
    ("hq_clerk", "/approvals/window/"),
    ("hq_officer", "/enforcement/"),
    ("dispatcher", "/command/"),
    ("dispatcher", "/command/items/?indicator=accepted"),
    ("dispatcher", "/command/?source=patrol&category=event:01"),
    ("dispatcher", "/command/items/?indicator=accepted&source=patrol&stream=grid"),
    ("dispatcher", "/command/map/"),
    ("dispatcher", "/command/warnings/"),
    ("dispatcher", "/command/reports/"),
    ("dispatcher", "/command/projects/"),
    ("dispatcher", "/command/screen/"),
    ("hq_clerk", "/datashare/grants/"),
    ("hq_grid", "/grid/m/report/"),
]


@pytest.fixture
def world(personas: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    from approvals.testing import make_approvals
    from grid.events.report import do_report_event
    from grid.standards.actions import do_seed_reference

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        world = {**personas, **make_approvals(personas, NOW)}
        do_seed_reference(actor=personas["system"], now=NOW)
        do_report_event(
            actor=personas["hq_grid"],
            now=NOW,
            channel="patrol",
            category_code="0102",
            description="路口绿化带旁有成堆的生活垃圾",
            lon=120.555,
            lat=31.405,
        )
    return world


def data_names() -> list[str]:
    """Proper names and user data in the database, longest first (so a name is removed before its parts)."""
    from accounts.models import OrgUnit, User
    from approvals.models import ServiceItem
    from grid.models import Category, GridEvent
    from territory.models import Division, Grid

    names: set[str] = set()
    names.update(OrgUnit.objects.values_list("name", flat=True))
    names.update(User.objects.values_list("display_name", flat=True))
    names.update(Division.objects.values_list("name", flat=True))
    names.update(Grid.objects.values_list("name", flat=True))
    names.update(Category.objects.values_list("name", flat=True))
    names.update(ServiceItem.objects.values_list("name", flat=True))
    for title, description in GridEvent.objects.values_list("title", "description"):
        names.update((title, description))
    return sorted((n for n in names if n and HAN.search(n)), key=len, reverse=True)


def untranslated(html: str, names: list[str]) -> list[str]:
    text = visible_text(html)
    for name in names:
        text = text.replace(name, " ")
    runs = {run.strip() for run in HAN_RUN.findall(text)}
    runs.update(m.group() for m in LATIN_THEN_FULLWIDTH.finditer(text))
    return sorted(runs)


@pytest.mark.parametrize(("persona", "url"), PAGES)
def test_english_staff_page_has_no_chinese_ui_text(world: dict[str, Any], persona: str, url: str) -> None:
    client = Client()
    client.force_login(world[persona])
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False):
        response = client.get(url, follow=True)
    assert response.status_code == 200
    assert untranslated(response.content.decode(), data_names()) == []


@pytest.mark.parametrize("persona", ["dispatcher", "hq_grid"])
def test_english_work_item_page_has_no_chinese_ui_text(world: dict[str, Any], persona: str) -> None:
    from workflow.models import WorkItem

    item = WorkItem.objects.get(grid_event__isnull=False)
    client = Client()
    client.force_login(world[persona])
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/work/items/{item.pk}/")
    assert response.status_code == 200
    assert "Grid event handling" in response.content.decode()  # the process by its English name
    assert untranslated(response.content.decode(), data_names()) == []
