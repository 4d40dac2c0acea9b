"""Change requests to the registries: a grid worker proposes a household, the village approves (it
applies) or rejects; roles, the outsider, bad input; trivial fields apply directly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from grid.models import RegistryChangeRequest
from grid.registry_changes import MemberProposal, do_propose_household, do_review_change
from grid.standards import selectors
from registry import actions as registry
from registry import crypto
from registry.models import Household, Person
from registry.testing import synthetic_id_number

pytestmark = pytest.mark.django_db

GRID = "320507003201001"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def number(seq: int) -> str:
    return synthetic_id_number("320507", date(1982, 6, 1), seq)


def family(head_seq: int = 1) -> list[MemberProposal]:
    return [
        MemberProposal("陈大文", number(head_seq), "head", phone="13912340001"),
        MemberProposal("陈小文", number(head_seq + 1), "child"),
    ]


@pytest.fixture
def people(personas: dict[str, Any], reference: dict[str, int]) -> dict[str, User]:
    village = OrgUnit.objects.get(code="320507003201-vc")
    return {**personas, "hq_head": make_person("hq_head", unit=village, role=Role.GRID_HEAD)}


def test_worker_proposes_and_the_village_approves(people: dict[str, User]) -> None:
    request = do_propose_household(
        grid_code=GRID, number="HQ-100", members=family(), actor=people["hq_grid"], now=NOW
    )
    assert request.work_item.state == "proposed" and request.work_item.territory_code == GRID
    assert "陈**" in request.summary and number(1) not in request.payload_sealed
    assert not Person.objects.exists()
    before = selectors.grid_lists(people["hq_grid"], GRID).registry["households"]
    request = do_review_change(request, "approve", actor=people["hq_head"], now=NOW)
    assert request.work_item.state == "applied"
    household = Household.objects.get(number="HQ-100")
    assert request.household == household
    assert sorted(household.members.values_list("relation", flat=True)) == ["child", "head"]
    assert selectors.grid_lists(people["hq_grid"], GRID).registry["households"] == before + 1
    assert household.history.count() == 1


def test_reject_needs_a_reason_and_applies_nothing(people: dict[str, User]) -> None:
    request = do_propose_household(
        grid_code=GRID, number="HQ-101", members=family(), actor=people["hq_grid"], now=NOW
    )
    with pytest.raises(DomainError):
        do_review_change(request, "reject", actor=people["hq_head"], now=NOW)
    do_review_change(request, "reject", actor=people["hq_head"], now=NOW, reason="户号有误")
    request.refresh_from_db()
    assert request.work_item.state == "rejected" and not Household.objects.exists()
    with pytest.raises(Conflict):
        do_review_change(request, "approve", actor=people["hq_head"], now=NOW)


def test_grid_worker_may_not_approve_and_the_outsider_sees_nothing(people: dict[str, User]) -> None:
    request = do_propose_household(
        grid_code=GRID, number="HQ-102", members=family(), actor=people["hq_grid"], now=NOW
    )
    with pytest.raises(PermissionRefused):
        do_review_change(request, "approve", actor=people["hq_grid"], now=NOW)
    with pytest.raises(NotFound):
        do_review_change(request, "approve", actor=people["wt_grid"], now=NOW)
    with pytest.raises(NotFound):
        do_propose_household(grid_code=GRID, number="X", members=family(5), actor=people["wt_grid"], now=NOW)
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("members", "code", "field"),
    [
        ([MemberProposal("甲", number(1)[:-1] + "0", "head")], "invalid_id_number", "members[0].id_number"),
        (
            [MemberProposal("甲", number(1), "head"), MemberProposal("乙", number(2), "head")],
            "household_head_count",
            "members",
        ),
        ([MemberProposal("甲", number(1), "child")], "household_head_count", "members"),
        (
            [MemberProposal("甲", number(1), "head"), MemberProposal("乙", number(1), "child")],
            "duplicate_member",
            "members",
        ),
        ([MemberProposal("", number(1), "head")], "required", "members[0].name"),
    ],
)
def test_bad_proposals_are_refused(
    people: dict[str, User], members: list[MemberProposal], code: str, field: str
) -> None:
    if number(1)[-1] == "0" and code == "invalid_id_number":
        members = [MemberProposal("甲", number(1)[:-1] + "1", "head")]
    with pytest.raises(DomainError) as error:
        do_propose_household(
            grid_code=GRID, number="HQ-103", members=members, actor=people["hq_grid"], now=NOW
        )
    assert (error.value.code, error.value.field) == (code, field)
    assert not RegistryChangeRequest.objects.exists()


def test_a_change_that_no_longer_fits_stays_proposed(people: dict[str, User]) -> None:
    first = do_propose_household(
        grid_code=GRID, number="HQ-104", members=family(1), actor=people["hq_grid"], now=NOW
    )
    second = do_propose_household(
        grid_code=GRID, number="HQ-104", members=family(3), actor=people["hq_grid"], now=NOW
    )
    do_review_change(first, "approve", actor=people["hq_head"], now=NOW)
    with pytest.raises(Conflict):
        do_review_change(second, "approve", actor=people["hq_head"], now=NOW)
    second.refresh_from_db()
    assert second.work_item.state == "proposed" and Person.objects.count() == 2


def test_trivial_field_applies_directly_others_do_not(people: dict[str, User]) -> None:
    request = do_propose_household(
        grid_code=GRID, number="HQ-105", members=family(), actor=people["hq_grid"], now=NOW
    )
    do_review_change(request, "approve", actor=people["hq_head"], now=NOW)
    person = Person.objects.get(id_number_hash=crypto.lookup_hash(number(1)))
    registry.do_update_person_contact(person, phone="13800002222", actor=people["hq_grid"], now=NOW)
    person.refresh_from_db()
    assert crypto.unseal(person, "phone_sealed") == "13800002222"
    with pytest.raises(PermissionRefused):
        registry.do_update_person_contact(person, address_detail="3幢201室", actor=people["hq_grid"], now=NOW)
    with pytest.raises(NotFound):
        registry.do_update_person_contact(person, phone="13800003333", actor=people["wt_grid"], now=NOW)
