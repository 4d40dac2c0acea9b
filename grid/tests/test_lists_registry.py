"""The basic-information list counts from the registries: households, people by kind, buildings and
rented flats, entities, places; the outsider still gets a 404."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from registry import actions as registry
from registry.models import Person
from registry.testing import synthetic_id_number, synthetic_uscc

pytestmark = pytest.mark.django_db

GRID = "320507003201001"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def registered(personas: dict[str, Any], reference: dict[str, int]) -> None:
    system = personas["system"]
    address = registry.do_create_address(
        territory_code=GRID, street="春申路", door_number="1", actor=system, now=NOW
    )
    building = registry.do_register_building(
        territory_code=GRID,
        address=address,
        compound_number=1,
        number=1,
        compound="春申花园",
        use="residential",
        structure="brick_concrete",
        floors=4,
        actor=system,
        now=NOW,
    )
    house = registry.do_register_house(
        building=building, unit=1, room="101", rented=True, actor=system, now=NOW
    )
    members = []
    for seq, kind in [(1, "registered"), (2, "registered"), (3, "migrant"), (5, "left_behind")]:
        data = registry.PersonInput(
            territory_code=GRID,
            kind=kind,
            name="测试人",
            house=house,
            id_number=synthetic_id_number("320507", date(1980, 1, 1), seq),
        )
        members.append(registry.do_register_person(data, actor=system, now=NOW))
    registry.do_create_household(
        number="G-1",
        territory_code=GRID,
        members=[(members[0], "head"), (members[1], "spouse")],
        actor=system,
        now=NOW,
    )
    entity = registry.do_register_entity(
        uscc_code=synthetic_uscc("320507", 5),
        name="春申小超市",
        legal_representative="王五",
        industry_code="F52",
        size="micro",
        territory_code=GRID,
        actor=system,
        now=NOW,
    )
    for name, kind in [("春申小超市", "nine_small"), ("春申加油站", "hazardous_chemicals")]:
        registry.do_register_key_place(
            name=name,
            kind=kind,
            territory_code=GRID,
            inspection_days=30,
            entity=entity,
            actor=system,
            now=NOW,
        )


def test_lists_api_counts_from_the_registries(personas: dict[str, User], registered: None) -> None:
    client = APIClient()
    client.force_authenticate(personas["hq_grid"])
    body = client.get(f"/api/v1/grid/grids/{GRID}/lists/").json()
    assert body["registry"] == {
        "households": 1,
        "residents": 4,
        "migrants": 1,
        "left_behind": 1,
        "foreign": 0,
        "buildings": 1,
        "rented_houses": 1,
        "enterprises": 1,
        "places": 2,
        "key_places": 1,
    }
    assert Person.objects.filter(territory_code=GRID).count() == 4
    other = APIClient()
    other.force_authenticate(personas["wt_grid"])
    assert other.get(f"/api/v1/grid/grids/{GRID}/lists/").status_code == 404


def test_lists_page_shows_the_registry_column(personas: dict[str, User], registered: None) -> None:
    client = Client()
    client.force_login(personas["hq_grid"])
    page = client.get(f"/grid/grids/{GRID}/lists/").content.decode()
    assert "基础信息库" in page and "<td>4 <small" in page and "流动 1" in page
