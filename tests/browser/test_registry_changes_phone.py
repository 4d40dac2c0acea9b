"""Changing registered records from the phone, in Chromium at 390×844: the grid worker finds a resident
by ID number, corrects the phone number (in effect at once) and proposes an address and a care tag
(waiting for the village); the house form with its tenants; the village's grid head sees the values
before and after (the care tag in clear, the worker only that it changed) and approves. Each page fits
the phone (no sideways scrolling, targets ≥ 44 px, checkboxes beside their labels)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import OrgUnit, Role
from accounts.testing import PASSWORD, make_person
from tests.browser.conftest import PageProblems, log_in, screenshot
from tests.browser.test_phone_layout import MEASURE, MIN_TARGET, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HQ_GRID = "320507003201001"


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    """A household of two in a rented flat of 春申花园 (the child its tenant), 黄桥's grid head."""
    from registry import actions as registry
    from registry.testing import synthetic_id_number
    from workflow.publishing import do_publish_processes

    now = timezone.now()
    system = personas["system"]
    do_publish_processes(now=now, actor=system)
    make_person(
        "hq_head",
        unit=OrgUnit.objects.get(code="320507003201-vc"),
        role=Role.GRID_HEAD,
        display_name="陈组长",
    )
    address = registry.do_create_address(
        territory_code=HQ_GRID, street="春申路", door_number="88", actor=system, now=now
    )
    building = registry.do_register_building(
        territory_code=HQ_GRID,
        address=address,
        compound_number=1,
        number=2,
        compound="春申花园",
        use="residential",
        structure="brick_concrete",
        floors=6,
        actor=system,
        now=now,
    )
    house = registry.do_register_house(
        building=building, unit=1, room="101", rented=True, actor=system, now=now
    )
    number = synthetic_id_number("320507", date(1956, 3, 4), 91)

    def person(name: str, seq: int, **extra: Any) -> Any:
        data = registry.PersonInput(
            territory_code=HQ_GRID,
            kind="registered",
            name=name,
            id_number=synthetic_id_number("320507", date(1956, 3, 4), seq),
            phone="13912340091",
            house=house,
            **extra,
        )
        return registry.do_register_person(data, actor=system, now=now)

    head, child = person("欧阳建国", 91), person("欧阳小红", 92, tenant=True)
    registry.do_create_household(
        number="HQ-91",
        territory_code=HQ_GRID,
        members=[(head, "head"), (child, "child")],
        house=house,
        actor=system,
        now=now,
    )
    return {"number": number, "head": head, "house": house}


@pytest.fixture
def phones(browser: Any) -> Any:
    """Two phones (the worker's and the grid head's): each its own session."""
    contexts = [
        browser.new_context(
            viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
        )
        for _ in range(2)
    ]
    yield contexts
    for context in contexts:
        context.close()


def _fits(page: Any, name: str) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, f"phone-registry-{name}", full_page=True)
    measured = page.evaluate(MEASURE, MIN_TARGET)
    assert measured["scrollWidth"] <= PHONE["width"], (name, measured["scrollWidth"])
    assert measured["small"] == [], (name, measured["small"])
    for choice in measured["choices"]:
        assert choice["width"] < 40 and choice["beside"] and choice["target"] >= MIN_TARGET, (name, choice)


def test_a_worker_changes_a_resident_and_the_village_approves(
    live_server: Any, phones: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    problems = PageProblems()
    worker = phones[0].new_page()
    worker.set_default_timeout(15_000)
    problems.attach(worker)
    log_in(worker, base, "hq_grid", PASSWORD)
    worker.goto(f"{base}/grid/registry-changes/")
    worker.click("[data-records-link]")
    worker.fill("#records-q", world["number"])
    worker.click("#records-search button[type=submit]")
    worker.wait_for_selector(f'[data-found-person="{world["head"].pk}"]')
    assert world["number"] not in worker.content() and "欧阳**" in worker.content()
    _fits(worker, "search")
    worker.click(f'a[href$="/records/person/{world["head"].pk}/"]')
    worker.wait_for_selector("#record-change-form")
    _fits(worker, "person-form")
    worker.fill("#id_phone", "13900005678")
    worker.fill("#id_address_detail", "春申花园2幢101室")
    worker.check("input[name=care_tags_add][value=独居老人]")
    worker.click("[data-submit-change]")
    worker.wait_for_selector('[data-outcome="proposed"]')
    mine = worker.locator('[data-record-change="person"]')
    assert mine.count() == 2
    assert "139****5678" in mine.nth(0).inner_text() + mine.nth(1).inner_text()
    assert (
        "无权查看"
        in worker.locator('[data-outcome="proposed"]').locator("xpath=ancestor::section").inner_text()
    )
    _fits(worker, "changes-worker")

    worker.goto(f"{base}/grid/m/records/house/{world['house'].pk}/")
    worker.wait_for_selector("#record-change-form")
    assert worker.locator("input[name=remove_tenants]").count() == 1
    _fits(worker, "house-form")

    reviewer = phones[1].new_page()
    reviewer.set_default_timeout(15_000)
    problems.attach(reviewer)
    log_in(reviewer, base, "hq_head", PASSWORD)
    reviewer.goto(f"{base}/grid/registry-changes/")
    waiting = reviewer.locator('[data-outcome="proposed"]').locator("xpath=ancestor::section")
    assert "独居老人" in waiting.inner_text() and "春申花园*幢***室" in waiting.inner_text()
    _fits(reviewer, "changes-reviewer")
    waiting.locator("button[value=approve]").click()
    reviewer.wait_for_selector('[data-outcome="applied"]')
    assert reviewer.locator('[data-outcome="proposed"]').count() == 0
    screenshot(reviewer, "phone-registry-changes-approved", full_page=True)
    assert problems.errors == []
