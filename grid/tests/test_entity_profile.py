"""The entity page's (一企一档) events section: events reported at the entity's standard address (by the
address's text, or by a point within the "…附近" radius of it), at its key place's address, or from a
patrol check-in at its key place — newest first, linked, with their state; an event elsewhere, in
another village or outside the viewer's jurisdiction is not listed; the outsider town does not open
the page; the queries do not grow with the rows."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from grid.models import GridEvent, PatrolItem
from grid.patrols.actions import do_check_in, do_link_check_in_event, do_start_patrol
from grid.patrols.key_places import do_issue_key_place_patrol_items
from grid.tests import test_event_support as support
from grid.tests.test_event_support import HQ_GRID, HQ_GRID_2, HQ_POINT, WT_GRID, WT_POINT, at, report
from registry import actions as registry
from registry.models import Entity, KeyPlace
from registry.testing import entity_page_section, synthetic_uscc
from territory.models import Grid

pytestmark = pytest.mark.django_db
people, media = support.people, support.media  # the grid-event tests' fixtures
FAR = (120.552, 31.402)  # in 黄桥 grid 1, ~400 m from the shop


@pytest.fixture
def shop(people: dict[str, User]) -> tuple[Entity, KeyPlace]:
    """A shop at 春申路88号 (a point at HQ_POINT) whose 九小场所 is at 春申路90号 (no point)."""
    system = people["system"]
    here = registry.do_create_address(
        territory_code=HQ_GRID,
        street="春申路",
        door_number="88",
        lon=HQ_POINT[0],
        lat=HQ_POINT[1],
        actor=system,
        now=at(3, 1),
    )
    next_door = registry.do_create_address(
        territory_code=HQ_GRID, street="春申路", door_number="90", actor=system, now=at(3, 1)
    )
    entity = registry.do_register_entity(
        uscc_code=synthetic_uscc("320507", 701),
        name="春申便利店",
        legal_representative="周大福",
        industry_code="F5212",
        size="individual",
        territory_code=HQ_GRID,
        address=here,
        actor=system,
        now=at(3, 1),
    )
    place = registry.do_register_key_place(
        name="春申便利店仓库",
        kind="nine_small",
        territory_code=HQ_GRID,
        inspection_days=30,
        entity=entity,
        address=next_door,
        actor=system,
        now=at(3, 1),
    )
    return entity, place


def page(user: User, entity: Entity, language: str = "zh-hans") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/registry/entities/{entity.pk}/")
    return response.status_code, response.content.decode()


def from_check_in(people: dict[str, User], place: KeyPlace, hour: int) -> GridEvent:
    """The grid worker checks in at the place's patrol item, finds something wrong, reports it elsewhere
    in the grid (a far point, another address) and links it to the check-in."""
    do_issue_key_place_patrol_items(actor=people["system"], now=at(3, 2, 8))
    patrol = do_start_patrol(Grid.objects.get(code=HQ_GRID), actor=people["hq_grid"], now=at(3, 2, hour))
    item = PatrolItem.objects.get(key_place=place, active=True)
    check = do_check_in(
        patrol, item, actor=people["hq_grid"], now=at(3, 2, hour), normal=False, note="通道堵塞"
    )
    event = report(people, address="胡湾路2号", lon=FAR[0], lat=FAR[1], now=at(3, 2, hour))
    do_link_check_in_event(check, event, actor=people["hq_grid"], now=at(3, 2, hour))
    return event


def test_the_entity_page_lists_the_events_at_its_places(
    people: dict[str, User], shop: tuple[Entity, KeyPlace]
) -> None:
    entity, place = shop
    by_text = report(people, address="春申路88号", lon=FAR[0], lat=FAR[1], now=at(3, 2, 9))
    by_point = report(people, now=at(3, 2, 10))  # at HQ_POINT, no address
    at_place = report(people, address="春申路90号门口", lon=FAR[0], lat=FAR[1], now=at(3, 2, 11))
    checked = from_check_in(people, place, 12)
    elsewhere = report(people, address="胡湾路1号", lon=FAR[0], lat=FAR[1], now=at(3, 2, 13))
    other_grid = report(
        people, who="hq_head", address="春申路88号", lon=120.565, lat=31.405, now=at(3, 2, 14)
    )
    other_town = report(
        people,
        who="wt_grid",
        channel="patrol",
        address="春申路88号",
        lon=WT_POINT[0],
        lat=WT_POINT[1],
        now=at(3, 2, 15),
    )
    assert other_grid.territory_code == HQ_GRID_2 and other_town.territory_code == WT_GRID
    status, html = page(people["hq_grid"], entity)
    section = entity_page_section(html, "grid_events")
    assert status == 200 and section is not None and "网格事件" in section
    rows = section.split("<li>")[1:]
    assert [row[row.index('href="') + 6 : row.index('">')] for row in rows] == [
        f"/grid/events/{e.pk}/" for e in (checked, at_place, by_point, by_text)
    ]
    assert f"{by_text.receipt_number} 暴露垃圾（春申路88号）</a> · 信息收集（待受理） · 2026-03-02" in rows[3]
    assert elsewhere.receipt_number not in section and other_town.receipt_number not in section
    # Grid 2 lies outside the grid worker's jurisdiction; the town's leader sees its event too.
    assert other_grid.receipt_number not in section
    town = entity_page_section(page(people["hq_leader"], entity)[1], "grid_events") or ""
    assert other_grid.receipt_number in town and elsewhere.receipt_number not in town
    assert page(people["wt_grid"], entity)[0] == 404
    english = page(people["hq_grid"], entity, language="en")[1]
    assert "Grid events" in english
    assert "网格事件" not in english


def test_the_page_queries_do_not_grow_with_the_events(
    people: dict[str, User], shop: tuple[Entity, KeyPlace]
) -> None:
    entity, place = shop
    report(people, address="春申路88号", now=at(3, 2, 9))
    client = Client()
    client.force_login(people["hq_leader"])
    client.get(f"/registry/entities/{entity.pk}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"/registry/entities/{entity.pk}/")
    for hour in (10, 11):
        report(people, now=at(3, 2, hour))
    from_check_in(people, place, 12)
    with CaptureQueriesContext(connection) as four:
        html = client.get(f"/registry/entities/{entity.pk}/").content.decode()
    assert (entity_page_section(html, "grid_events") or "").count("<li>") == 4
    assert len(four) == len(one)
