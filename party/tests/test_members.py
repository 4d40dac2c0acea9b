from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import override_settings

from core.errors import DomainError, NotFound, PermissionRefused
from party import actions, selectors
from party.models import MemberLink, PartyMember
from party.tests.conftest import HQ_GRID, HQ_GRID2, NOW, WT_GRID, enrol, register

pytestmark = pytest.mark.django_db


def test_enrol_member_masked_and_scoped(party_world: dict[str, Any]) -> None:
    member = enrol(party_world, 1, status="probationary", mobile=True)
    users = party_world["users"]
    shown = selectors.masked_member(selectors.member_for(users["hq_sec"], member.pk))
    assert shown["name"] == "李**" and shown["status"] == "probationary" and shown["mobile"] is True
    assert "id_number" not in shown and shown["grid_code"] == HQ_GRID
    with pytest.raises(NotFound):
        selectors.member_for(users["wt_leader"], member.pk)
    assert not selectors.members_visible_to(users["wt_leader"]).exists()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"status": "veteran"}, "invalid_choice", "status"),
        ({"joined_on": date(2027, 1, 1)}, "joined_in_future", "joined_on"),
        ({"grid_code": "320507003201999"}, "unknown_grid", "grid_code"),
        ({"organisation_id": 99999}, "unknown_branch", "organisation_id"),
        ({"user_id": 99999}, "unknown_user", "user_id"),
    ],
)
def test_enrol_bad_input(party_world: dict[str, Any], change: dict[str, Any], code: str, field: str) -> None:
    person = register(5)
    data = {
        "person_id": person.pk,
        "organisation_id": party_world["hq_branch"].pk,
        "status": "formal",
        "joined_on": date(2000, 1, 1),
        "grid_code": HQ_GRID,
        **change,
    }
    with pytest.raises(DomainError) as refused:
        actions.do_enrol_member(actions.MemberInput(**data), actor=party_world["users"]["hq_leader"], now=NOW)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not PartyMember.objects.exists()


def test_enrol_twice_and_committee_refused(party_world: dict[str, Any]) -> None:
    member = enrol(party_world, 1)
    data = actions.MemberInput(
        person_id=member.person_id,
        organisation_id=party_world["hq_branch"].pk,
        status="formal",
        joined_on=date(2000, 1, 1),
        grid_code=HQ_GRID,
    )
    with pytest.raises(DomainError) as refused:
        actions.do_enrol_member(data, actor=party_world["users"]["system"], now=NOW)
    assert refused.value.code == "already_member"
    data.organisation_id = party_world["hq_committee"].pk
    with pytest.raises(DomainError) as refused:
        actions.do_enrol_member(data, actor=party_world["users"]["system"], now=NOW)
    assert refused.value.code == "unknown_branch"


def test_enrol_roles_and_outsider(party_world: dict[str, Any]) -> None:
    person = register(7)
    data = actions.MemberInput(
        person_id=person.pk,
        organisation_id=party_world["hq_branch"].pk,
        status="formal",
        joined_on=date(2000, 1, 1),
        grid_code=HQ_GRID,
    )
    users = party_world["users"]
    with pytest.raises(PermissionRefused):
        actions.do_enrol_member(data, actor=users["hq_grid"], now=NOW)
    with pytest.raises(NotFound):
        actions.do_enrol_member(data, actor=users["wt_leader"], now=NOW)
    assert actions.do_enrol_member(data, actor=users["hq_leader"], now=NOW).territory_code == HQ_GRID


def test_link_households_and_enterprise(party_world: dict[str, Any]) -> None:
    member = enrol(party_world, 1)
    sec = party_world["users"]["hq_sec"]
    leader = party_world["users"]["hq_leader"]
    actions.do_link_member(member, household=party_world["households"][0], actor=sec, now=NOW)
    # The enterprise is in grid 2 of the same village: allowed for the town leader.
    actions.do_link_member(member, entity=party_world["entity"], actor=leader, now=NOW)
    with pytest.raises(NotFound):  # the grid head of grid 1 does not see grid 2
        actions.do_link_member(
            member, household=party_world["households"][1], actor=party_world["users"]["wt_leader"], now=NOW
        )
    with pytest.raises(DomainError) as refused:
        actions.do_link_member(member, household=party_world["households"][0], actor=sec, now=NOW)
    assert refused.value.code == "already_linked"
    with pytest.raises(DomainError) as refused:
        actions.do_link_member(member, actor=sec, now=NOW)
    assert refused.value.code == "one_target"
    assert MemberLink.objects.filter(member=member).count() == 2
    assert party_world["entity"].territory_code == HQ_GRID2


def test_household_outside_the_villages_grid_refused_unless_configured(party_world: dict[str, Any]) -> None:
    member = enrol(party_world, 1)
    system = party_world["users"]["system"]
    outside = party_world["wt_household"]
    assert outside.territory_code == WT_GRID
    with pytest.raises(DomainError) as refused:
        actions.do_link_member(member, household=outside, actor=system, now=NOW)
    assert (refused.value.code, refused.value.field) == ("outside_village", "household_id")
    assert not MemberLink.objects.exists()
    with override_settings(PARTY_LINK_OUTSIDE_VILLAGE=True):
        actions.do_link_member(member, household=outside, actor=system, now=NOW)
    assert MemberLink.objects.count() == 1


@override_settings(PARTY_LINKS_PER_MEMBER=2)
def test_link_ratio_configurable(party_world: dict[str, Any]) -> None:
    member = enrol(party_world, 1)
    system = party_world["users"]["system"]
    for household in party_world["households"][:2]:
        actions.do_link_member(member, household=household, actor=system, now=NOW)
    with pytest.raises(DomainError) as refused:
        actions.do_link_member(member, household=party_world["households"][2], actor=system, now=NOW)
    assert refused.value.code == "too_many_links"
