"""A window clerk finds an item among the centre's items by the pinyin initials of its name in Chromium,
and picks it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from approvals.testing import CONFIRM_CODE, LICENCE_CODE, make_approvals
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approvals_setup(personas: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return {**personas, **make_approvals(personas, timezone.now())}


def test_clerk_finds_an_item_by_pinyin_initials(
    page: Any, live_server: Any, approvals_setup: dict[str, Any], problems: PageProblems
) -> None:
    log_in(page, live_server.url, "hq_clerk", PASSWORD)
    page.goto(f"{live_server.url}/approvals/window/")
    search = page.locator("input.select-search")
    search.fill("cxjm")  # 城乡居民…
    assert page.locator("#id_pick_item").input_value() == CONFIRM_CODE
    assert page.locator(f"#id_pick_item option[value='{LICENCE_CODE}']").evaluate("o => o.hidden")
    search.fill("spjyxk")  # 食品经营许可
    assert page.locator("#id_pick_item").input_value() == LICENCE_CODE
    screenshot(page, "window-pinyin-search")
    page.click("form.ap-filters button[type=submit]")
    page.wait_for_url(f"**item={LICENCE_CODE}**")
    assert "经营场所平面图" in page.inner_text("main")
    assert not problems.errors, problems.errors
