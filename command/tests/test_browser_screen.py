"""The wall screen in Chromium at 1920×1080, opened with a screen token (no log-in): Chinese text, KPI
tiles, both charts, the map with its grids and markers; one refresh tick brings a newly overdue item into
the feed; a failed poll shows "连接中断，正在重连" and the screen recovers. Timers run on Playwright's
clock, so nothing is waited out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from accounts.models import User
from command.tokens import do_issue_screen_token
from grid.models import GridEvent
from grid.tests.test_figures import HUANGQIAO, Scenario
from tests.browser.conftest import PageProblems, screenshot
from workflow.models import WorkItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AFTER_WEEK = datetime(2026, 3, 9, 4, 0, tzinfo=UTC)


def test_wall_screen_with_a_token_refreshes_and_reconnects(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    week: Callable[[], Scenario],
    personas: dict[str, User],
) -> None:
    s = week()
    GridEvent.objects.filter(pk__in=[s.events["E4"].pk, s.events["E2"].pk]).update(lon=120.555, lat=31.405)
    with time_machine.travel(AFTER_WEEK, tick=True):
        key = do_issue_screen_token(
            name="大厅",
            territory_code=HUANGQIAO,
            expires_at=None,
            actor=personas["hq_leader"],
            now=AFTER_WEEK,
        )[1]
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.clock.install(time=AFTER_WEEK)
        page.goto(f"{live_server.url}/command/screen/?token={key}")
        for ready in ("figures-ready", "feed-ready", "grids-ready", "items-ready"):
            page.wait_for_selector(f"#screen[data-{ready}='true']")
        page.wait_for_load_state("networkidle")
        assert "黄桥街道 · 集成指挥中心" in page.inner_text("h1")
        assert page.evaluate("document.fonts.check('20px \"Noto Sans CJK SC\"', '立案数')")
        assert page.inner_text("[data-kpi='filed'] .scr-kpi-value") == "5"
        assert (
            page.locator("#scr-trend canvas").count() == 1
            and page.locator("#scr-ranking canvas").count() == 1
        )
        assert page.get_attribute("#screen", "data-markers") == "1"  # E4 is open; E2 closed
        assert page.locator("#scr-map .leaflet-cmdGrids-pane path").count() == 2
        assert page.locator("#scr-warnings-panel").is_visible()
        assert "暂无未处理预警" in page.inner_text("#scr-warnings")  # none open
        assert "暂无新上报或新超期事项" in page.inner_text("#scr-feed")
        assert page.locator("#scr-offline").is_hidden()
        assert (
            page.locator("#scr-ranking").bounding_box()["y"]
            + page.locator("#scr-ranking").bounding_box()["height"]
            <= 1080
        )
        screenshot(page, "command-screen")

        # One refresh tick of the feed (every 15 s) shows the item that went overdue meanwhile.
        WorkItem.objects.filter(pk=s.events["E4"].work_item_id or 0).update(overdue_at=AFTER_WEEK)
        page.clock.run_for(16_000)
        page.locator("#scr-feed li", has_text=s.events["E4"].receipt_number).wait_for()
        assert "超期" in page.inner_text("#scr-feed")

        # The server goes away: the banner and the last data time stay; when it answers again, it clears.
        page.route("**/api/v1/command/screen/feed/**", lambda route: route.abort())
        page.clock.run_for(16_000)
        page.wait_for_selector("#scr-offline:not([hidden])")
        assert page.inner_text("#scr-data-time") != "—"
        page.unroute("**/api/v1/command/screen/feed/**")
        page.clock.run_for(5_000)  # the first retry comes after 2 s
        page.wait_for_selector("#scr-offline[hidden]", state="attached")
        page.wait_for_load_state("networkidle")
        assert page.get_attribute("#screen", "data-markers") == "1"
        screenshot(page, "command-screen-refreshed")
        page.close()
    # Only the aborted polls failed.
    assert [e for e in problems.errors if "screen/feed/" not in e and "ERR_FAILED" not in e] == []
