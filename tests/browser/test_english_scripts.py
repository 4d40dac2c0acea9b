"""What the pages' scripts write reads in English in an English session, in Chromium: the resident's report
form (the address search's list and note, the position status), the command map (legend, count, an item's
card, the key-project and party layers) and the desk's and wall screen's charts and lists. The scripts hold
no words of their own (tests/test_static_js_words.py); the page passes them, translated. Visible text and
the charts' titles, legends and series names may hold Chinese only where it is data (places, units, people,
categories, the event's text)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache

from accounts.models import OrgUnit, Role, User
from accounts.testing import PASSWORD, make_person
from grid.models import GridEvent
from grid.standards.actions import do_seed_reference
from grid.tests.test_pages_support import act, report
from registry import actions as registry_actions
from tests.browser.conftest import PageProblems, log_in, screenshot
from tests.test_english_staff_pages import HAN_RUN, data_names

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

# The ECharts charts draw on a canvas: their words are read from each chart's options.
CHART_WORDS = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  if (!chart) { return null; }
  const option = chart.getOption();
  const words = [];
  (option.title || []).forEach((t) => words.push(t.text || ""));
  (option.legend || []).forEach((l) => (l.data || []).forEach((d) => words.push(d.name || d)));
  (option.series || []).forEach((s) => words.push(s.name || ""));
  return words.filter(Boolean);
}"""


def untranslated(text: str) -> list[str]:
    for name in data_names():
        text = text.replace(name, " ")
    return sorted({run.strip() for run in HAN_RUN.findall(text)})


def visible(page: Any, selector: str = "body") -> str:
    """What a reader sees of the element, the language picker left out (each language named in its own
    script)."""
    return str(
        page.evaluate(
            """(selector) => {
              const copy = document.querySelector(selector).cloneNode(true);
              copy.querySelectorAll("select[name=language], script").forEach((n) => n.remove());
              document.body.appendChild(copy);
              const text = copy.innerText;
              copy.remove();
              return text;
            }""",
            selector,
        )
    )


def english(page: Any, base_url: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base_url}])


@pytest.fixture
def world(personas: dict[str, User]) -> dict[str, Any]:
    cache.clear()
    do_seed_reference(actor=personas["system"], now=NOW)
    steward = make_person(
        "hq_steward", unit=OrgUnit.objects.get(code="320507003-gov"), role=Role.DATA_STEWARD
    )
    registry_actions.do_create_address(
        territory_code="320507003201",
        street="春申路",
        door_number="88",
        lon=120.565,
        lat=31.405,
        actor=steward,
        now=NOW,
    )
    event = report(personas)
    act(event, "file", personas, "dispatcher")
    return {**personas, "event": GridEvent.objects.get(pk=event.pk)}


def test_resident_report_form_scripts_speak_english(
    live_server: Any, page: Any, problems: PageProblems, world: dict[str, Any]
) -> None:
    english(page, live_server.url)
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"longitude": 120.555, "latitude": 31.405, "accuracy": 12})
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/grid/report/")
    page.wait_for_selector("[data-map-ready='true']")
    page.click("[data-geo-button]")
    page.wait_for_selector("#geo-status:has-text('Location found 120.55500, 31.40500 (±12 m)')")
    page.fill("#public-report-form [name='address']", "春申")
    option = page.wait_for_selector("[data-address-results] li[data-address-id]")
    assert option.inner_text() == "春申路88号 (黄桥街道 黄桥测试村)"
    option.dispatch_event("mousedown")
    note = page.inner_text("[data-address-note]")
    assert note.startswith("Located by the address: "), note
    assert untranslated(visible(page)) == []
    page.locator("[data-address-note]").scroll_into_view_if_needed()
    screenshot(page, "english-report-address-search")
    assert problems.errors == []


def test_command_map_and_desk_scripts_speak_english(
    live_server: Any, page: Any, problems: PageProblems, world: dict[str, Any]
) -> None:
    english(page, live_server.url)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "dispatcher", PASSWORD)  # lands on the desk
    page.wait_for_function("() => echarts.getInstanceByDom(document.getElementById('cmd-trend'))")
    words = page.evaluate(CHART_WORDS, "cmd-trend")
    assert words == ["Filed and closed (by day)", "Filed", "Closed", "Filed", "Closed"]
    assert untranslated(" ".join(page.evaluate(CHART_WORDS, "cmd-ranking") or [])) == []

    page.goto(f"{live_server.url}/command/map/")
    page.wait_for_selector("#cmd-map[data-map-ready='true']")
    assert page.inner_text("#cmd-map-count").startswith("Showing 1 of 1")
    assert re.match(r"Grids coloured by “.+” \(last 30 days\)", page.inner_text("#cmd-map-legend"))
    page.check("#cmd-map-projects")
    page.check("#cmd-map-party")
    page.wait_for_selector("#cmd-map[data-projects-shown][data-party-shown]")
    page.locator("#cmd-map path.leaflet-interactive").first.dispatch_event("click")
    event = world["event"]
    page.wait_for_selector(f"[data-item-card='{event.pk}'] [data-card-slot][data-card-ready='true']")
    card = page.inner_text(f"[data-item-card='{event.pk}']")
    assert "Open the item" in card
    assert untranslated(visible(page)) == []
    screenshot(page, "english-command-map-card")
    assert problems.errors == []


def test_wall_screen_scripts_speak_english(
    live_server: Any, page: Any, problems: PageProblems, world: dict[str, Any]
) -> None:
    english(page, live_server.url)
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, live_server.url, "dispatcher", PASSWORD)
    page.goto(f"{live_server.url}/command/screen/")
    for ready in ("figures-ready", "feed-ready", "grids-ready", "items-ready"):
        page.wait_for_selector(f"#screen[data-{ready}='true']")
    trend = ["Reported and filed", "Closed"]
    assert page.evaluate(CHART_WORDS, "scr-trend") == trend + trend
    assert untranslated(" ".join(page.evaluate(CHART_WORDS, "scr-ranking") or [])) == []
    assert untranslated(visible(page)) == []
    screenshot(page, "english-command-screen")
    assert problems.errors == []
