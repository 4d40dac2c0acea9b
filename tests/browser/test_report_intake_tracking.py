"""A report received but not registered yet (grid.events.intake): its tracking page, on a phone, in Chinese
and in English, says it is received and being registered, with the first line of the timeline."""

from __future__ import annotations

from typing import Any

import pytest

from grid.events.intake import do_receive_report
from grid.tests.test_event_support import HQ_POINT, at
from tests.browser.conftest import PageProblems, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "said"), [("zh-CN", "已收到，正在登记"), ("en-US", "Received, being registered")]
)
def test_tracking_a_report_being_registered(
    live_server: Any, browser: Any, personas: dict[str, Any], locale: str, said: str
) -> None:
    from grid.standards.actions import do_seed_reference

    do_seed_reference(actor=personas["system"], now=at(3, 1))
    intake, _category = do_receive_report(
        now=at(3, 2, 9),
        channel="resident_web",
        category_code="0102",
        description="小区门口垃圾两天没人收",
        lon=HQ_POINT[0],
        lat=HQ_POINT[1],
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = PageProblems()
    problems.attach(page)
    try:
        page.goto(f"{live_server.url}/grid/track/{intake.receipt_number}/")
        main = page.inner_text("main")
        assert said in main and intake.receipt_number in main
        assert page.locator("[data-public-state]").get_attribute("data-public-state") == "received"
        assert page.locator("[data-public-timeline] li").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, f"grid-public-status-intake-{locale}")
        assert problems.errors == []
    finally:
        context.close()
