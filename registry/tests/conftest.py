"""Registry personas (on top of the suite's): a data steward and the grid head of 黄桥测试村, a window
clerk of 黄桥街道, and a data steward of 渭塘镇 (the outsider); `hq_grid` (grid worker) proposes only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from registry import actions
from registry.models import Person
from registry.testing import synthetic_id_number, synthetic_uscc

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HQ_GRID = "320507003201001"
WT_GRID = "320507105201001"


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(personas: dict[str, User]) -> dict[str, User]:
    hq_gov = OrgUnit.objects.get(code="320507003-gov")
    hq_village = OrgUnit.objects.get(code="320507003201-vc")
    wt_gov = make_org_unit("320507105-gov", "渭塘镇党委政府", OrgUnit.Kind.GOVERNMENT, "320507105")
    return {
        **personas,
        "hq_steward": make_person("hq_steward", unit=hq_gov, role=Role.DATA_STEWARD),
        "hq_head": make_person("hq_head", unit=hq_village, role=Role.GRID_HEAD),
        "hq_clerk": make_person("hq_clerk", unit=hq_gov, role=Role.WINDOW_CLERK),
        "wt_steward": make_person("wt_steward", unit=wt_gov, role=Role.DATA_STEWARD),
    }


def register(
    actor: User, seq: int = 1, *, grid: str = HQ_GRID, phone: str = "13912345678", **extra: Any
) -> Person:
    data = actions.PersonInput(
        territory_code=grid,
        kind=extra.pop("kind", Person.Kind.REGISTERED),
        name=extra.pop("name", "张三丰"),
        id_number=synthetic_id_number("320507", date(1975, 4, 1), seq),
        phone=phone,
        **extra,
    )
    return actions.do_register_person(data, actor=actor, now=NOW)


@pytest.fixture
def world(people):
    """A building with a rented flat, a household of two, a shop (entity + 九小场所) in 黄桥."""
    cache.clear()
    steward = people["hq_steward"]
    address = actions.do_create_address(
        territory_code=HQ_GRID, street="春申路", door_number="88", actor=steward, now=NOW
    )
    building = actions.do_register_building(
        territory_code=HQ_GRID,
        address=address,
        compound_number=1,
        number=2,
        compound="春申花园",
        use="mixed",
        structure="steel_concrete",
        floors=5,
        actor=steward,
        now=NOW,
    )
    house = actions.do_register_house(
        building=building, unit=1, room="101", rented=True, actor=steward, now=NOW
    )
    head = register(steward, 11, name="陈大文", house=house)
    child = register(steward, 12, name="陈小文", house=house, tenant=True)
    household = actions.do_create_household(
        number="HQ-11",
        territory_code=HQ_GRID,
        members=[(head, "head"), (child, "child")],
        house=house,
        actor=steward,
        now=NOW,
    )
    entity = actions.do_register_entity(
        uscc_code=synthetic_uscc("320507", 77),
        name="春申便利店",
        legal_representative="周大福",
        industry_code="F5212",
        size="individual",
        territory_code=HQ_GRID,
        building=building,
        address=address,
        actor=steward,
        now=NOW,
    )
    place = actions.do_register_key_place(
        name="春申便利店",
        kind="nine_small",
        territory_code=HQ_GRID,
        inspection_days=30,
        entity=entity,
        building=building,
        actor=steward,
        now=NOW,
    )
    return {
        "head": head,
        "child": child,
        "household": household,
        "building": building,
        "entity": entity,
        "place": place,
    }
