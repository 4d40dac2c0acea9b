"""The town leader's desk in Chromium: every module (or its 未接入 notice), charts drawn, one click from a
figure to its items; a screenshot at 1440×900."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from accounts.testing import PASSWORD
from grid.tests.test_figures import Scenario
from tests.browser.conftest import PageProblems, log_in, screenshot

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
    assert page.locator("[data-not-connected]").count() == 4
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
    assert problems.errors == []
