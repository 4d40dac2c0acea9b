"""A party member on a 390-px phone opens this month's 联户 visit list, logs a visit with a photo, a
problem and a need; the problem appears in the dispatcher's queue with source 党员联户, the member's
figures move, and so does the leader's desk: its 党建引领 tiles (loaded before and after the visit) and
the breakdown of members per grid. The need waits for the grid worker on their phone (代办需求)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.testing import PASSWORD
from grid.models import GridEvent
from grid.standards.actions import do_seed_reference
from grid.tests.test_pages_support import png_bytes
from party import selectors, visits
from party.actions import do_link_member
from party.models import VisitNeed
from party.tests.conftest import enrol, party_world  # noqa: F401 (fixture)
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POSITION = {"longitude": 120.5552, "latitude": 31.4051}  # inside 黄桥 grid 1 (WGS-84)


@pytest.fixture
def member_setup(party_world: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    system = party_world["users"]["system"]
    do_seed_reference(actor=system, now=now)
    user = User.objects.create_user(username="hq_member", password=PASSWORD, display_name="李党员")
    member = enrol(party_world, 1, user_id=user.pk)
    for household in party_world["households"][:2]:
        do_link_member(member, household=household, actor=system, now=now)
    visits.do_plan_month(member, timezone.localdate(now), actor=system, now=now)
    return {**party_world, "member": member}


def desk_tiles(page: Any, base: str) -> dict[str, str]:
    """The values of the desk's 党建引领 tiles, as the leader reads them."""
    page.goto(f"{base}/command/", wait_until="networkidle")
    tiles = page.locator("[data-module='party'] [data-figure]")
    return {
        tiles.nth(i).get_attribute("data-figure"): tiles.nth(i).locator(".cmd-value").inner_text().strip()
        for i in range(tiles.count())
    }


def phone_context(browser: Any) -> Any:
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        geolocation=POSITION,
        permissions=["geolocation"],
    )


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = phone_context(browser)
    yield context
    context.close()


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    """The town leader's desk on a wide screen (its own session)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    leader_page = context.new_page()
    leader_page.set_default_timeout(15_000)
    yield leader_page
    context.close()


@pytest.fixture
def second_phone(browser: Any) -> Iterator[Any]:
    """The grid worker's phone (its own session)."""
    context = phone_context(browser)
    yield context
    context.close()


def test_member_logs_a_visit_and_the_problem_reaches_the_dispatcher(
    live_server: Any,
    page: Any,
    phone: Any,
    second_phone: Any,
    desk: Any,
    member_setup: dict[str, Any],
) -> None:
    base = live_server.url
    problems = PageProblems()
    leader = member_setup["users"]["hq_leader"]
    before = selectors.command_figures(leader, now=timezone.now())["visits"]
    assert (before["done"], before["problems_raised"]) == (0, 0)

    problems.attach(desk)
    log_in(desk, base, "hq_leader", PASSWORD)
    desk_before = desk_tiles(desk, base)
    assert (desk_before["party_households_reached"], desk_before["party_problems_raised"]) == ("0", "0")
    assert desk_before["party_members"] == "1"

    mobile = phone.new_page()
    mobile.set_default_timeout(15_000)
    problems.attach(mobile)
    log_in(mobile, base, "hq_member", PASSWORD)
    mobile.goto(f"{base}/party/m/visits/")
    assert mobile.locator("[data-visits] li").count() == 2
    assert mobile.inner_text("[data-figure='done']") == "0"
    screenshot(mobile, "party-visits-month")
    mobile.locator("[data-visits] a").first.click()
    mobile.fill("#id_note", "入户走访，了解老人近况。")
    mobile.set_input_files(
        "#id_photo", {"name": "visit.png", "mimeType": "image/png", "buffer": png_bytes(8, 8)}
    )
    mobile.fill("#id_problem", "楼道堆放杂物，堵塞消防通道。")
    mobile.select_option("#id_category_code", "0402")
    mobile.fill("#id_need", "老人行动不便，需代办高龄津贴申领。")
    screenshot(mobile, "party-visit-form")
    mobile.click("[data-submit-visit]")
    mobile.wait_for_url(f"{base}/party/m/visits/?done=*")
    assert mobile.inner_text("[data-figure='done']") == "1"
    assert mobile.inner_text("[data-figure='problems']") == "1"
    assert "已走访" in mobile.inner_text("[data-visits]")
    assert mobile.inner_text("[data-figure='needs']") == "1"
    assert mobile.inner_text("[data-figure='needs_filed']") == "0"
    screenshot(mobile, "party-visit-logged")
    mobile.locator("[data-visits] a.rowlink").first.click()
    assert "待网格员代办" in mobile.inner_text("[data-needs]")
    screenshot(mobile, "party-visit-need")

    event = GridEvent.objects.get()
    assert event.channel == "party_link"
    after = selectors.command_figures(leader, now=timezone.now())["visits"]
    assert (after["done"], after["problems_raised"], after["households_reached"]) == (1, 1, 1)

    # The leader's desk, reloaded: the 党建引领 tiles moved; the members per grid are one click away.
    desk_after = desk_tiles(desk, base)
    assert (desk_after["party_households_reached"], desk_after["party_problems_raised"]) == ("1", "1")
    desk.click("[data-org-kinds] summary")
    assert desk.locator("[data-kind='branch'] td").nth(1).inner_text() == "1"
    desk.click("[data-members-per-unit] summary")
    grid_row = desk.locator(f"[data-unit='{member_setup['member'].territory_code}']")
    assert grid_row.locator("[data-unit-members]").inner_text() == "1"
    desk.locator("[data-party-breakdown]").scroll_into_view_if_needed()
    screenshot(desk, "party-desk-breakdown")

    # The grid worker of the household's grid finds the need on the phone.
    need = VisitNeed.objects.get()
    worker = second_phone.new_page()
    worker.set_default_timeout(15_000)
    problems.attach(worker)
    log_in(worker, base, "hq_grid", PASSWORD)
    worker.goto(f"{base}/party/needs/")
    screenshot(worker, "party-needs-grid-worker")
    worker.locator(f"[data-need='{need.pk}'] a").click()
    assert "老人行动不便" in worker.inner_text("[data-need-text]")
    assert worker.locator("form[data-action='file']").count() == 1
    screenshot(worker, "party-need-grid-worker")

    log_in(page, base, "dispatcher", PASSWORD)
    page.goto(f"{base}/grid/dispatch/")
    queue = page.locator("table[data-queue='review']")
    row = queue.locator("tr", has_text=event.receipt_number)
    assert "党员联户" in row.inner_text()
    screenshot(page, "party-visit-dispatch-queue")
    assert problems.errors == []
