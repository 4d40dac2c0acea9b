"""The town leader's desk in Chromium: every module (or its 未接入 notice), charts drawn, one click from a
figure to its items; a screenshot at 1440×900."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.testing import PASSWORD
from grid.models import GridEvent
from grid.tests.test_figures import Scenario
from tests.browser.conftest import PageProblems, log_in, screenshot
from workflow.models import WorkItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_town_leader_clicks_a_figure_through_to_its_items(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    week: Callable[[], Scenario],
    personas: dict[str, User],
) -> None:
    week()
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "hq_leader", PASSWORD)
    page.wait_for_selector("#cmd-ranking canvas")  # the landing desk (last 30 days) finished loading
    page.wait_for_selector("#cmd-trend canvas")
    page.goto(f"{live_server.url}/?from=2026-03-02&to=2026-03-08")
    assert "黄桥街道 · 集成指挥中心" in page.inner_text("h1")
    for name in ("党建引领", "审批服务", "综合执法", "网格治理", "属地管理", "综合指挥"):
        assert page.locator("h2", has_text=name).count() == 1
    assert page.locator("[data-not-connected]").count() == 0
    # ECharts drew both charts (a canvas each) with Chinese titles.
    page.wait_for_selector("#cmd-trend canvas")
    page.wait_for_selector("#cmd-ranking canvas")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '立案数')")
    tile = page.locator("[data-figure='filed']")
    assert tile.locator(".cmd-value").inner_text().strip() == "5"
    screenshot(page, "command-desk")
    tile.click()
    page.wait_for_selector("[data-items-count]")
    assert page.locator("[data-item-row]").count() == 5
    assert page.locator("[data-items-count]").inner_text() == "5"
    screenshot(page, "command-items")
    # The leader cuts the desk by source, picked by name: the figure and its items follow the cut.
    page.go_back()
    page.select_option("select[name=source]", label="网格员巡查上报")
    page.click(".cmd-filters button[type=submit]")
    page.wait_for_selector("[data-cut-note]")
    page.wait_for_selector("#cmd-trend canvas")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-figure='filed'] .cmd-value").inner_text().strip() == "3"
    screenshot(page, "command-desk-cut")
    page.locator("[data-figure='filed']").click()
    page.wait_for_selector("[data-cut-labels]")
    assert page.locator("[data-item-row]").count() == 3
    assert problems.errors == []


def test_dispatcher_opens_the_map_and_an_item_card(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    week: Callable[[], Scenario],
    personas: dict[str, User],
) -> None:
    s = week()
    # E4 (parked, open) placed in its grid and overdue; E2 (closed) placed too: not on the map.
    GridEvent.objects.filter(pk__in=[s.events["E4"].pk, s.events["E2"].pk]).update(lon=120.55, lat=31.45)
    WorkItem.objects.filter(pk=s.events["E4"].work_item_id or 0).update(overdue_at=timezone.now())
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "hq_leader", PASSWORD)
    page.wait_for_selector("#cmd-trend canvas")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/command/map/?level=town&code=320507003")
    page.wait_for_selector("#cmd-map[data-map-ready='true']")
    assert page.get_attribute("#cmd-map", "data-markers") == "1"
    page.locator("#cmd-map path.leaflet-interactive").first.dispatch_event("click")
    card = page.wait_for_selector(f"[data-item-card='{s.events['E4'].pk}']")
    assert s.events["E4"].receipt_number in card.inner_text() and "超期" in card.inner_text()
    screenshot(page, "command-map")
    page.uncheck("input[value=red]")
    assert page.get_attribute("#cmd-map", "data-markers") == "0"
    page.check("input[value=red]")
    assert problems.errors == []
