from __future__ import annotations

from typing import Any

import pytest

from core.errors import DomainError, NotFound, PermissionRefused
from party import actions, selectors
from party.models import Organisation, Pairing
from party.tests.conftest import HQ_GRID, NOW, K, org

pytestmark = pytest.mark.django_db


def test_tree_action_branch_functional_group_and_enterprise_branch(party_world: dict[str, Any]) -> None:
    leader = party_world["users"]["hq_leader"]
    committee, branch = party_world["hq_committee"], party_world["hq_branch"]
    grid_branch = org(leader, "第1网格党支部", K.BRANCH, HQ_GRID, committee)
    group = org(leader, "第1网格党小组", K.GROUP, HQ_GRID, grid_branch)
    action = org(
        leader, "便民服务行动支部", K.ACTION_BRANCH, "320507003201", branch, action_type="convenience"
    )
    functional = org(
        leader, "学习型党小组", K.FUNCTIONAL_GROUP, "320507003201", branch, functional_type="learning"
    )
    enterprise = org(leader, "精密机械党支部", K.BRANCH, parent=committee, entity_id=party_world["entity"].pk)
    assert group.parent == grid_branch and action.action_type == "convenience"
    assert functional.functional_type == "learning"
    assert enterprise.territory_code == party_world["entity"].territory_code


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"name": "", "kind": K.BRANCH, "territory_code": HQ_GRID}, "required", "name"),
        ({"name": "x", "kind": "club", "territory_code": HQ_GRID}, "invalid_choice", "kind"),
        ({"name": "x", "kind": K.BRANCH, "territory_code": "999"}, "unknown_territory", "territory_code"),
        (
            {"name": "x", "kind": K.WORKING_COMMITTEE, "territory_code": HQ_GRID},
            "wrong_level",
            "territory_code",
        ),
        (
            {"name": "x", "kind": K.ACTION_BRANCH, "territory_code": HQ_GRID},
            "action_type_required",
            "action_type",
        ),
        (
            {"name": "x", "kind": K.BRANCH, "territory_code": HQ_GRID, "action_type": "industrial"},
            "action_type_required",
            "action_type",
        ),
        (
            {"name": "x", "kind": K.FUNCTIONAL_GROUP, "territory_code": HQ_GRID},
            "functional_type_required",
            "functional_type",
        ),
        ({"name": "x", "kind": K.BRANCH, "territory_code": HQ_GRID}, "parent_required", "parent_id"),
        (
            {"name": "x", "kind": K.BRANCH, "territory_code": HQ_GRID, "entity_id": 99999},
            "unknown_entity",
            "entity_id",
        ),
    ],
)
def test_bad_input_refused(
    party_world: dict[str, Any], kwargs: dict[str, Any], code: str, field: str
) -> None:
    before = Organisation.objects.count()
    with pytest.raises(DomainError) as refused:
        actions.do_create_organisation(
            actions.OrganisationInput(**kwargs), actor=party_world["users"]["hq_leader"], now=NOW
        )
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Organisation.objects.count() == before


def test_parent_outside_its_territory_and_wrong_parent_kind(party_world: dict[str, Any]) -> None:
    system = party_world["users"]["system"]
    with pytest.raises(DomainError) as refused:
        org(system, "x", K.BRANCH, HQ_GRID, party_world["wt_committee"])
    assert refused.value.code == "outside_parent"
    group = org(system, "小组", K.GROUP, HQ_GRID, party_world["hq_branch"])
    with pytest.raises(DomainError) as refused:
        org(system, "x", K.BRANCH, HQ_GRID, group)
    assert refused.value.code == "wrong_parent"


def test_roles_refused_and_outsider_sees_nothing(party_world: dict[str, Any]) -> None:
    users = party_world["users"]
    with pytest.raises(PermissionRefused):
        org(users["hq_agency"], "x", K.GROUP, HQ_GRID, party_world["hq_branch"])
    with pytest.raises(PermissionRefused):
        org(users["hq_grid"], "x", K.GROUP, HQ_GRID, party_world["hq_branch"])
    with pytest.raises(NotFound):
        org(users["wt_leader"], "x", K.GROUP, HQ_GRID, party_world["hq_branch"])
    names = set(selectors.organisations_visible_to(users["wt_leader"]).values_list("name", flat=True))
    assert names == {"渭塘镇党委", "渭塘测试村党支部"}
    with pytest.raises(NotFound):
        selectors.organisation_for(users["wt_leader"], party_world["hq_branch"].pk)
    assert (
        selectors.organisation_for(users["hq_leader"], party_world["hq_branch"].pk).name == "黄桥测试村党支部"
    )


def test_pairing_stored_once_and_refusals(party_world: dict[str, Any]) -> None:
    users = party_world["users"]
    a, b = party_world["hq_branch"], party_world["wt_branch"]
    pairing = actions.do_pair_organisations(
        b, a, started_on=NOW.date(), activities="联合主题党日", actor=users["system"], now=NOW
    )
    assert (pairing.first_id, pairing.second_id) == tuple(sorted((a.pk, b.pk)))
    with pytest.raises(DomainError) as refused:
        actions.do_pair_organisations(
            a, b, started_on=NOW.date(), activities="", actor=users["system"], now=NOW
        )
    assert refused.value.code == "already_paired"
    with pytest.raises(DomainError) as refused:
        actions.do_pair_organisations(
            a, a, started_on=NOW.date(), activities="", actor=users["system"], now=NOW
        )
    assert refused.value.code == "pair_self"
    with pytest.raises(NotFound):
        actions.do_pair_organisations(
            a, b, started_on=NOW.date(), activities="", actor=users["wt_leader"], now=NOW
        )
    assert Pairing.objects.count() == 1
