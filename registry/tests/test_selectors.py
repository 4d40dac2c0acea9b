from __future__ import annotations

import pytest

from core.errors import NotFound
from registry import actions, selectors
from registry.models import Person
from registry.testing import synthetic_id_number
from registry.tests.conftest import HQ_GRID, NOW, WT_GRID, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_towns(people):
    hq = register(people["hq_steward"], 1)
    wt = register(people["wt_steward"], 2, grid=WT_GRID)
    household = actions.do_create_household(
        number="HQ-1", territory_code=HQ_GRID, members=[(hq, "head")], actor=people["hq_steward"], now=NOW
    )
    return hq, wt, household


def test_lookup_by_id_number_through_the_hash(people, two_towns):
    hq, _wt, _ = two_towns
    number = synthetic_id_number("320507", hq.birth_date, 1)
    assert selectors.person_by_id_number(people["hq_clerk"], number.lower()) == hq


def test_the_outsider_sees_nothing_of_another_town(people, two_towns):
    hq, wt, household = two_towns
    outsider = people["wt_grid"]
    assert list(selectors.people_visible_to(outsider)) == [wt]
    for call in [
        lambda: selectors.person_for(outsider, hq.pk),
        lambda: selectors.household_for(outsider, household.pk),
        lambda: selectors.person_by_id_number(outsider, synthetic_id_number("320507", hq.birth_date, 1)),
    ]:
        with pytest.raises(NotFound):
            call()
    assert not selectors.households_visible_to(outsider).exists()


def test_district_dispatcher_sees_both_masked(people, two_towns):
    assert selectors.people_visible_to(people["dispatcher"]).count() == 2
    shown = selectors.masked_person(selectors.person_for(people["dispatcher"], two_towns[0].pk))
    assert "*" in shown["name"]


def test_address_search_matches_any_part(people):
    steward = people["hq_steward"]
    actions.do_create_address(
        territory_code=HQ_GRID, street="春申路", door_number="88", detail="3幢", actor=steward, now=NOW
    )
    actions.do_create_address(
        territory_code=HQ_GRID, street="南天成路", door_number="5", actor=steward, now=NOW
    )
    assert [a.text for a in selectors.search_addresses("黄桥 88号")] == ["春申路88号3幢"]
    assert selectors.search_addresses("天成").count() == 1
    assert not selectors.search_addresses("  ").exists()
    assert Person.objects.count() == 0
