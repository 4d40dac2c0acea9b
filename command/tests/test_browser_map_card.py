"""The dispatcher works from the map in Chromium: clicks an open item, dispatches it from its card (the
routed unit preselected) without leaving the map, and sees the card and the map refreshed; when a
colleague acted first, the card says so and is redrawn. Screenshots at 1440×900."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import OrgUnit, Role, User
from accounts.testing import PASSWORD, make_person
from grid.models import GridEvent
from grid.tests.test_pages_support import URBAN, act, report
from tests.browser.conftest import PageProblems, log_in, screenshot
from workflow.models import WorkItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def filed(personas: dict[str, User], reference: Any) -> GridEvent:
    event = report(personas)
    act(event, "file", personas, "dispatcher")
    event.refresh_from_db()
    return event


def open_card(page: Any, base_url: str, event: GridEvent) -> Any:
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, base_url, "dispatcher", PASSWORD)
    page.goto(f"{base_url}/command/map/")
    page.wait_for_selector("#cmd-map[data-map-ready='true']")
    assert page.get_attribute("#cmd-map", "data-markers") == "1"
    page.locator("#cmd-map path.leaflet-interactive").first.dispatch_event("click")
    page.wait_for_selector(f"[data-item-card='{event.pk}'] [data-card-slot][data-card-ready='true']")
    return page.locator(f"[data-item-card='{event.pk}']")


def test_dispatcher_dispatches_an_item_from_its_card(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, User], filed: GridEvent
) -> None:
    card = open_card(page, live_server.url, filed)
    assert filed.receipt_number in card.inner_text()
    assert page.input_value("select[name='dispatch-assigned_unit']") == URBAN
    screenshot(page, "command-map-card")
    card.locator("[data-act='dispatch']").click()
    page.wait_for_selector("[data-card-status]:has-text('已完成')")
    assert card.locator("[data-state='dispatched']").count() == 1
    assert card.locator("[data-card-form='dispatch']").count() == 0
    assert "派遣" in page.inner_text("#cmd-map-status")
    page.wait_for_load_state("networkidle")
    screenshot(page, "command-map-card-dispatched")
    assert page.url.endswith("/command/map/")  # never left the map
    item = WorkItem.objects.get(grid_event=filed)
    assert item.state == "dispatched" and item.assigned_unit is not None and item.assigned_unit.code == URBAN
    assert problems.errors == []


def test_a_colleague_acted_first_the_card_says_so(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, User], filed: GridEvent
) -> None:
    card = open_card(page, live_server.url, filed)
    drawn_at = WorkItem.objects.get(grid_event=filed).version
    centre = OrgUnit.objects.get(code="320507-command")
    colleague = make_person("dispatcher2", unit=centre, role=Role.DISPATCHER)
    act(filed, "dispatch", {"dispatcher2": colleague}, "dispatcher2", inputs={"assigned_unit": URBAN})
    card.locator("[data-act='dispatch']").click()
    page.wait_for_selector("[data-card-status].errors:has-text('已被他人处理')")
    assert card.locator("[data-state='dispatched']").count() == 1  # redrawn at the new version
    assert card.locator("[data-card-form='dispatch']").count() == 0
    page.wait_for_load_state("networkidle")
    assert WorkItem.objects.get(grid_event=filed).version == drawn_at + 1  # ours changed nothing
    # The 409 answer is the one expected console/network problem of this test.
    assert all("409" in e for e in problems.errors)


def test_a_destructive_action_on_the_card_asks_first(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, User], reference: Any
) -> None:
    event = report(personas)
    card = open_card(page, live_server.url, event)
    card.locator("[data-card-action='void'] summary").click()
    card.locator("[name='void-reason']").fill("重复上报，已合并处理")
    button = card.locator("[data-act='void']")
    assert "danger" in (button.get_attribute("class") or "")
    messages: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        messages.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    button.click()
    assert messages == ["确定要作废吗？此操作会记录理由并通知相关人员。"]
    assert WorkItem.objects.get(grid_event=event).state == "reported"  # dismissed: nothing sent
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    button.click()
    page.wait_for_selector("[data-card-status]:has-text('已完成')")
    assert WorkItem.objects.get(grid_event=event).state == "voided"
    screenshot(page, "command-map-card-voided")
    assert problems.errors == []
