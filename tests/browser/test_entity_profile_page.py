"""一企一档 in Chromium: the town leader opens a shop's entity page and finds each stream's section — its
certificate, the events at its address and key place, its collective contract — linked to their pages;
a screenshot at 1280×900."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from accounts.models import User
from accounts.testing import PASSWORD
from grid.tests import test_entity_profile as grid_profile
from grid.tests import test_event_support as support
from grid.tests.test_event_support import at, report
from licences.tests import conftest as licences_fixtures
from registry.models import Entity, KeyPlace
from territorial import actions as territorial
from territorial.contracts import ContractInput, do_sign_contract
from territory.testing import HUANGQIAO_VILLAGE
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
people, media, shop = support.people, support.media, grid_profile.shop
staff = licences_fixtures.staff
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}


def test_leader_reads_one_file_per_enterprise(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    people: dict[str, User],
    staff: dict[str, Any],
    shop: tuple[Entity, KeyPlace],
) -> None:
    entity, place = shop
    certificate = licences_fixtures.issue(
        staff, holder_name=entity.name, holder_kind="legal", holder_number=entity.uscc, title="食品经营许可证"
    )
    event = report(people, address="春申路88号", now=at(3, 2, 9))
    grid_profile.from_check_in(people, place, 12)
    org = territorial.do_create_organisation(
        village_code=HUANGQIAO_VILLAGE,
        name="黄桥测试村股份经济合作社",
        actor=people["hq_agency"],
        now=at(3, 1),
    )
    resource = territorial.do_record_resource(
        org,
        name="春申路门面",
        kind="land",
        area_mu="1",
        outline=SQUARE,
        actor=people["hq_head"],
        now=at(3, 1),
    )
    contract = do_sign_contract(
        org,
        ContractInput(
            number="HT-88",
            starts_on=date(2026, 1, 1),
            ends_on=date(2028, 12, 31),
            annual_price="12000",
            schedule=[],
            entity=entity,
            resource=resource,
        ),
        actor=people["hq_head"],
        now=at(3, 1),
    )
    log_in(page, live_server.url, "hq_leader", PASSWORD)
    page.goto(f"{live_server.url}/registry/entities/{entity.pk}/")
    assert page.inner_text("h1") == "春申便利店"
    titles = page.locator("section[id^='section-'] h2").all_inner_texts()
    assert titles == ["电子证照", "审批办件", "执法案件", "处罚决定公示", "网格事件", "集体合同"]
    assert page.locator(f"#section-licences a[href$='/{certificate.identifier}/']").count() == 1
    assert page.locator("#section-grid_events li").count() == 2
    assert page.locator(f"#section-grid_events a[href='/grid/events/{event.pk}/']").count() == 1
    assert (
        page.locator(
            f"#section-territorial_contracts a[href='/territorial/contracts/{contract.pk}/']"
        ).count()
        == 1
    )
    screenshot(page, "registry-entity-profile")
    page.locator("#section-territorial_contracts").scroll_into_view_if_needed()
    screenshot(page, "registry-entity-profile-streams")
    page.locator(f"#section-grid_events a[href='/grid/events/{event.pk}/']").click()
    page.wait_for_url(f"{live_server.url}/grid/events/{event.pk}/")
    assert event.receipt_number in page.inner_text("body")
    assert problems.errors == []
