"""A resident opens `/` on a phone and on a desk: the portal fits without sideways scrolling, its main
action is the first thing seen, and following a report from it reaches the tracking page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PageProblems, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)])
def test_portal_fits_and_leads_to_the_services(
    live_server: Any, browser: Any, territory: dict[str, Any], width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = PageProblems()
    problems.attach(page)
    try:
        page.goto(f"{live_server.url}/")
        assert page.url == f"{live_server.url}/"  # not the staff login
        main_action = page.locator("a.portal-main")
        assert main_action.is_visible()
        box = main_action.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height  # above the fold
        assert box["height"] >= 44  # a touch target
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.get_by_role("link", name="工作人员登录").first.is_visible()
        screenshot(page, f"portal-{width}")

        page.fill("#portal-receipt", "GE000000000")
        page.click("form[action='/grid/track/'] button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert "/grid/track/" in page.url
        assert "未找到受理编号" in page.inner_text("main")  # said in the site's layout
        # An unknown receipt answers 404 (and the browser logs it); nothing else may fail.
        problems.errors = [e for e in problems.errors if "/grid/track/" not in e and "404" not in e]
        assert problems.errors == []
    finally:
        context.close()
