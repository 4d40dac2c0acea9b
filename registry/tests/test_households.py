from __future__ import annotations

from datetime import date

import pytest

from core.errors import Conflict, DomainError, NotFound, PermissionRefused, Unprocessable
from registry import actions
from registry.models import HouseholdMove, Person
from registry.tests.conftest import HQ_GRID, NOW, register

pytestmark = pytest.mark.django_db


def _family(people):
    steward = people["hq_steward"]
    return steward, register(steward, 1), register(steward, 2), register(steward, 3)


def test_household_with_one_head_and_members(people):
    steward, head, spouse, child = _family(people)
    household = actions.do_create_household(
        number="H-001",
        territory_code=HQ_GRID,
        members=[(head, "head"), (spouse, "spouse"), (child, "child")],
        actor=steward,
        now=NOW,
    )
    assert household.members.count() == 3
    assert HouseholdMove.objects.filter(household=household, direction="in").count() == 3


@pytest.mark.parametrize("relations", [["head", "head", "child"], ["spouse", "child", "child"]])
def test_household_needs_exactly_one_head(people, relations):
    steward, *members = _family(people)
    with pytest.raises(Unprocessable) as error:
        actions.do_create_household(
            number="H-002",
            territory_code=HQ_GRID,
            members=list(zip(members, relations, strict=True)),
            actor=steward,
            now=NOW,
        )
    assert error.value.code == "household_head_count"
    assert not Person.objects.exclude(household=None).exists()


def test_moves_are_kept_and_a_second_head_is_refused(people):
    steward, head, spouse, child = _family(people)
    household = actions.do_create_household(
        number="H-003", territory_code=HQ_GRID, members=[(head, "head")], actor=steward, now=NOW
    )
    with pytest.raises(Unprocessable):
        actions.do_move_into_household(
            household, spouse, relation="head", on=date(2026, 3, 1), actor=steward, now=NOW
        )
    actions.do_move_into_household(
        household, spouse, relation="spouse", on=date(2026, 3, 1), actor=steward, now=NOW
    )
    with pytest.raises(Unprocessable):
        actions.do_move_out_of_household(household, head, on=date(2026, 3, 2), actor=steward, now=NOW)
    actions.do_move_out_of_household(
        household, spouse, on=date(2026, 3, 2), reason="婚嫁迁出", actor=steward, now=NOW
    )
    assert list(household.moves.order_by("id").values_list("person_id", "direction")) == [
        (head.pk, "in"),
        (spouse.pk, "in"),
        (spouse.pk, "out"),
    ]
    spouse.refresh_from_db()
    assert spouse.household_id is None
    with pytest.raises(DomainError):
        actions.do_move_out_of_household(household, child, on=date(2026, 3, 2), actor=steward, now=NOW)


def test_a_member_of_another_household_must_move_out_first(people):
    steward, head, spouse, _child = _family(people)
    actions.do_create_household(
        number="H-4", territory_code=HQ_GRID, members=[(head, "head")], actor=steward, now=NOW
    )
    with pytest.raises(Conflict):
        actions.do_create_household(
            number="H-5",
            territory_code=HQ_GRID,
            members=[(spouse, "head"), (head, "spouse")],
            actor=steward,
            now=NOW,
        )


def test_grid_worker_refused_and_outsider_not_found(people):
    _steward, head, *_ = _family(people)
    with pytest.raises(PermissionRefused):
        actions.do_create_household(
            number="H-6", territory_code=HQ_GRID, members=[(head, "head")], actor=people["hq_grid"], now=NOW
        )
    with pytest.raises(NotFound):
        actions.do_create_household(
            number="H-6",
            territory_code=HQ_GRID,
            members=[(head, "head")],
            actor=people["wt_steward"],
            now=NOW,
        )


def test_a_household_lives_in_a_house_of_its_own_grid(people, world):
    steward, head = people["hq_steward"], register(people["hq_steward"], 4)
    flat = world["household"].house
    with pytest.raises(DomainError) as error:
        actions.do_create_household(
            number="H-009",
            territory_code="320507003201002",
            members=[(head, "head")],
            house=flat,
            actor=steward,
            now=NOW,
        )
    assert (error.value.code, error.value.field) == ("house_outside_grid", "house")
    assert not Person.objects.filter(pk=head.pk).exclude(household=None).exists()
