"""The dispatcher reclassifies a resident's report that came without a category, in Chromium: the review
queue marks it, the class picker filters by name, and the row comes back filed under the new class."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from grid.events.report import do_report_event
from grid.models import GridEvent
from grid.standards.actions import do_seed_reference
from grid.tests.test_pages_support import HQ_POINT
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def unclassified(personas: dict[str, Any], settings: Any, tmp_path: Any) -> GridEvent:
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    do_seed_reference(actor=personas["system"], now=now)
    return do_report_event(
        actor=None,
        now=now,
        channel="resident_web",
        description="小区门口一直有人倾倒垃圾，味道很大",
        address="黄桥路12号",
        lon=HQ_POINT[0],
        lat=HQ_POINT[1],
    )


def test_dispatcher_reclassifies_inline(live_server: Any, page: Any, unclassified: GridEvent) -> None:
    problems = PageProblems()
    problems.attach(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "dispatcher", PASSWORD)
    page.goto(f"{live_server.url}/grid/dispatch/")
    row = page.locator(f'tr[data-event="{unclassified.receipt_number}"]')
    assert row.locator("[data-unclassified]").count() == 1
    picker = row.locator('select[name="reclassify-category_code"]')
    row.locator("input.select-search").last.fill("暴露")
    assert picker.input_value() == "0102"
    screenshot(page, "dispatch-reclassify")
    row.locator('button[data-act="reclassify"]').click()
    page.wait_for_selector('tr[data-done="true"]')
    unclassified.refresh_from_db()
    assert unclassified.category.code == "0102" and unclassified.title == "暴露垃圾（黄桥路12号）"
    assert unclassified.work_item is not None and unclassified.work_item.state == "filed"
    assert problems.errors == []
