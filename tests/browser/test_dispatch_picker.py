"""The dispatcher dispatches with the picker in Chromium: the routed unit is preselected by name, the
filter box narrows the units by a part of a name, and the row comes back dispatched (no code typed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from grid.events.report import do_report_event
from grid.events.steps import do_event_action
from grid.models import GridEvent
from grid.standards.actions import do_seed_reference
from grid.tests.test_pages_support import HQ_POINT, URBAN
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def filed(personas: dict[str, Any], settings: Any, tmp_path: Any) -> GridEvent:
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    do_seed_reference(actor=personas["system"], now=now)
    event = do_report_event(
        actor=personas["hq_grid"],
        now=now,
        channel="patrol",
        category_code="0102",
        description="路口绿化带旁有成堆的生活垃圾",
        lon=HQ_POINT[0],
        lat=HQ_POINT[1],
    )
    do_event_action(event, "file", actor=personas["dispatcher"], now=now)
    return event


def test_dispatcher_dispatches_with_the_picker(live_server: Any, page: Any, filed: GridEvent) -> None:
    base = live_server.url
    problems = PageProblems()
    problems.attach(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, base, "dispatcher", PASSWORD)
    page.goto(f"{base}/grid/dispatch/dispatch/")
    picker = page.locator('select[name="dispatch-assigned_unit"]')
    assert picker.input_value() == URBAN
    assert picker.locator("option:checked").inner_text() == "黄桥街道城市管理办公室"
    # The filter box narrows the options by name and picks the first match.
    search = page.locator("input.select-search").first
    search.fill("综合执法")
    assert picker.input_value() == "320507003-squad1"
    search.fill("城市管理")
    assert picker.input_value() == URBAN
    screenshot(page, "dispatch-picker")
    page.click('button[data-act="dispatch"]')
    page.wait_for_selector('tr[data-done="true"]')
    assert "已派遣" in page.locator('tr[data-done="true"]').inner_text()
    assert GridEvent.objects.filter(
        pk=filed.pk, work_item__state="dispatched", work_item__assigned_unit__code=URBAN
    ).exists()
    assert problems.errors == []


def test_void_asks_to_confirm(
    live_server: Any, page: Any, personas: dict[str, Any], filed: GridEvent
) -> None:
    event = do_report_event(
        actor=personas["hq_grid"],
        now=timezone.now(),
        channel="patrol",
        category_code="0102",
        description="另一处垃圾",
        lon=HQ_POINT[0],
        lat=HQ_POINT[1],
    )
    base = live_server.url
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, base, "dispatcher", PASSWORD)
    page.goto(f"{base}/grid/events/{event.pk}/")
    page.click("#act-void > summary")
    page.fill('textarea[name="void-reason"]', "非本区问题")
    screenshot(page, "event-void-destructive")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click('button[data-act="void"]')
    page.wait_for_timeout(300)
    assert GridEvent.objects.filter(pk=event.pk, work_item__state="reported").exists()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click('button[data-act="void"]')
    assert GridEvent.objects.filter(pk=event.pk, work_item__state="voided").exists()
