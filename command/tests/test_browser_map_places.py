"""The command map's key places in Chromium: the dispatcher switches the open items off and the key places
on, sees each place coloured by its inspections, and opens the market's card (its kind, frequency, last
inspection; nothing of the owner). Screenshot at 1440×900."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from accounts.testing import PASSWORD
from command.tests.test_map_places import OWNER, WEDNESDAY
from command.tests.test_map_places import planted as planted  # fixture
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_sees_the_key_places_by_their_inspections(
    live_server: Any, page: Any, problems: PageProblems, planted: dict[str, Any]
) -> None:
    market = planted["market"]
    with time_machine.travel(WEDNESDAY, tick=True):
        page.set_viewport_size({"width": 1440, "height": 900})
        log_in(page, live_server.url, "dispatcher", PASSWORD)
        page.goto(f"{live_server.url}/command/map/")
        page.wait_for_selector("#cmd-map[data-map-ready='true']")
        for layer in ("event", "case", "application"):
            page.uncheck(f"#cmd-map-filters input[name=layer][value={layer}]")
            page.wait_for_selector("#cmd-map[data-layers-ready='true']")
        assert page.get_attribute("#cmd-map", "data-markers") == "0"
        page.check("#cmd-map-places")
        # 黄桥's market and workshop, 渭塘's station: the dispatcher sees the whole district.
        page.wait_for_selector("#cmd-map[data-places-shown='3']")
        assert page.inner_text("#cmd-map-status") == "重点场所 3 处"
        markers = page.locator("#cmd-map .leaflet-overlay-pane path.leaflet-interactive")
        fills = sorted(markers.nth(i).get_attribute("fill") or "" for i in range(markers.count()))
        assert fills == ["#16a34a", "#dc2626", "#dc2626"]  # the market inspected; the others never
        card = page.locator(f"[data-place-card='{market.pk}']")
        for i in range(markers.count()):
            markers.nth(i).dispatch_event("click")
            if card.count():
                break
        card.wait_for()
        text = card.inner_text()
        assert "春申农贸市场" in text and "人员密集场所" in text and "本期已巡查" in text
        assert "每 7 天巡查一次" in text and "最近巡查 2026-03-03" in text and OWNER not in text
        page.wait_for_load_state("networkidle")
        screenshot(page, "command-map-key-places")
        page.uncheck("#cmd-map-places")
        assert markers.count() == 0
    assert problems.errors == []
