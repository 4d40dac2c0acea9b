"""Places by name in Chromium: the dispatcher's inbox and a work item's page show the grid's, village's or
town's name, the code kept as the cell's tooltip (title) and as a muted aside on the item page; the same in an
English session (names are data and stay as registered)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from territory.testing import GRID_CODES, HUANGQIAO, HUANGQIAO_VILLAGE
from tests.browser.conftest import PageProblems, log_in, screenshot
from workflow.models import WorkItem
from workflow.start import do_start_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PLACES = {
    GRID_CODES[0]: "黄桥测试村第1网格",
    GRID_CODES[3]: "渭塘测试村第2网格",
    HUANGQIAO_VILLAGE: "黄桥测试村",
    HUANGQIAO: "黄桥街道",
}


@pytest.fixture
def items(personas: dict[str, Any]) -> list[WorkItem]:
    return [
        do_start_item(
            "sample_complaint",
            actor=personas["dispatcher"],
            now=timezone.now(),
            title=f"占道经营投诉{n}",
            territory_code=code,
        )
        for n, code in enumerate(PLACES)
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_inbox_and_item_page_name_the_place(
    page: Any, live_server: Any, items: list[WorkItem], problems: PageProblems, language: str
) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    log_in(page, live_server.url, "dispatcher", PASSWORD)
    page.goto(f"{live_server.url}/work/?scope=all")
    for code, name in PLACES.items():
        cell = page.locator(f"table.inbox td .place[title='{code}']")
        assert cell.inner_text() == name
    assert page.locator("table.inbox td", has_text=GRID_CODES[0]).count() == 0  # no bare code in a cell
    screenshot(page, f"inbox-place-names-{language}")
    page.goto(f"{live_server.url}/work/items/{items[0].pk}/")
    row = page.locator("table tr", has=page.locator(".place")).first
    assert row.locator(".place").inner_text() == PLACES[GRID_CODES[0]]
    assert row.locator(".muted").inner_text() == GRID_CODES[0]
    screenshot(page, f"item-place-name-{language}")
    assert problems.errors == []
