from __future__ import annotations

import pytest

from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from registry import actions
from registry.models import Building, Entity
from registry.testing import synthetic_uscc
from registry.tests.conftest import HQ_GRID, NOW

pytestmark = pytest.mark.django_db


def _entity(actor, serial=1, **extra):
    return actions.do_register_entity(
        uscc_code=extra.pop("uscc_code", synthetic_uscc("320507", serial)),
        name=extra.pop("name", "苏州黄桥示例五金厂"),
        legal_representative="王五",
        legal_representative_phone="13700001234",
        industry_code=extra.pop("industry_code", "C3311"),
        size="small",
        territory_code=HQ_GRID,
        actor=actor,
        now=NOW,
        **extra,
    )


def test_address_building_house_entity_and_place(people):
    steward = people["hq_steward"]
    address = actions.do_create_address(
        territory_code=HQ_GRID,
        street="春申路",
        door_number="88",
        detail="3幢",
        lon=120.55,
        lat=31.40,
        actor=steward,
        now=NOW,
    )
    assert address.text == "春申路88号3幢"
    assert "黄桥街道" in address.search_text
    again = actions.do_create_address(
        territory_code=HQ_GRID, street="春申路", door_number="88", detail="3幢", actor=steward, now=NOW
    )
    assert again.pk == address.pk
    building = actions.do_register_building(
        territory_code=HQ_GRID,
        address=address,
        compound_number=12,
        number=3,
        compound="春申花园",
        use="mixed",
        structure="brick_concrete",
        floors=6,
        owner_name="赵六",
        actor=steward,
        now=NOW,
    )
    assert building.code == "320507003201012003"
    house = actions.do_register_house(
        building=building, unit=1, room="201", rented=True, actor=steward, now=NOW
    )
    assert house.code == "320507003201012003010201"
    entity = _entity(steward, building=building, address=address)
    assert entity.uscc == synthetic_uscc("320507", 1)
    place = actions.do_register_key_place(
        name="示例小餐馆",
        kind="nine_small",
        territory_code=HQ_GRID,
        inspection_days=30,
        entity=entity,
        building=building,
        actor=steward,
        now=NOW,
    )
    assert place.entity == entity
    with pytest.raises(Conflict):
        actions.do_register_building(
            territory_code=HQ_GRID,
            address=address,
            compound_number=12,
            number=3,
            compound="春申花园",
            use="mixed",
            structure="brick_concrete",
            floors=6,
            actor=steward,
            now=NOW,
        )
    assert Building.objects.count() == 1


@pytest.mark.parametrize("bad", ["91320507000004EEC", "913205070000044EED", "", "ABC"])
def test_bad_credit_codes_are_refused(people, bad):
    with pytest.raises(DomainError) as error:
        _entity(people["hq_steward"], uscc_code=bad)
    assert (error.value.code, error.value.field) == ("invalid_uscc", "uscc")
    assert not Entity.objects.exists()


def test_bad_industry_duplicate_and_bad_place_frequency(people):
    with pytest.raises(DomainError) as error:
        _entity(people["hq_steward"], industry_code="33X")
    assert error.value.field == "industry_code"
    _entity(people["hq_steward"])
    with pytest.raises(Conflict):
        _entity(people["hq_head"])
    with pytest.raises(DomainError) as error:
        actions.do_register_key_place(
            name="加油站",
            kind="hazardous_chemicals",
            territory_code=HQ_GRID,
            inspection_days=0,
            actor=people["hq_steward"],
            now=NOW,
        )
    assert error.value.field == "inspection_days"


def test_refused_roles_and_the_outsider(people):
    with pytest.raises(PermissionRefused):
        _entity(people["hq_clerk"])
    with pytest.raises(NotFound):
        _entity(people["wt_steward"])
    with pytest.raises(NotFound):
        actions.do_create_address(
            territory_code=HQ_GRID, street="春申路", door_number="1", actor=people["wt_steward"], now=NOW
        )
