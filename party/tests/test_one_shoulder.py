from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from accounts.models import Assignment, OrgUnit, Role
from accounts.testing import make_person
from core.errors import DomainError, NotFound
from party import actions, selectors
from party.tests.conftest import HQ_GRID, HQ_GRID2, NOW, WT_GRID, K, enrol, org
from territory.models import Grid

pytestmark = pytest.mark.django_db


def problems(user: Any) -> dict[str, str]:
    return {row.grid_code: row.problem for row in selectors.one_shoulder_problems(user)}


def test_no_head_warns_and_assigning_the_secretary_clears_it(party_world: dict[str, Any]) -> None:
    users = party_world["users"]
    leader = users["hq_leader"]
    assert problems(leader) == {HQ_GRID: "no_secretary", HQ_GRID2: "no_head"}
    member = enrol(party_world, 1, user_id=users["hq_sec"].pk)
    actions.do_set_secretary(party_world["hq_branch"], member, actor=leader, now=NOW)
    assert problems(leader) == {HQ_GRID2: "no_head"}
    # Grid 2 gets a head who is also the secretary: the village branch covers grid 2 as well.
    hq_village = OrgUnit.objects.get(code="320507003201-vc")
    make_person("hq_sec", unit=hq_village, role=Role.GRID_HEAD, territory_code=HQ_GRID2)
    assert problems(leader) == {}
    figures = selectors.one_shoulder_figures(selectors.one_shoulder_checks(["320507003"]))
    assert figures["total"] == {"grids": 2, "satisfied": 2, "share": 1.0}


def test_head_who_is_not_the_secretary_breaks_the_rule(party_world: dict[str, Any]) -> None:
    users = party_world["users"]
    other = enrol(party_world, 2, user_id=users["hq_grid"].pk)
    actions.do_set_secretary(party_world["hq_branch"], other, actor=users["system"], now=NOW)
    assert problems(users["hq_leader"])[HQ_GRID] == "head_not_secretary"
    # A branch of grid 2 itself answers for grid 2 (no branch → no_branch is only reached with a head).
    Assignment.objects.create(
        user=users["hq_agency"],
        org_unit=OrgUnit.objects.get(code="320507003201-vc"),
        role=Role.GRID_HEAD,
        territory_code=HQ_GRID2,
    )
    org(users["system"], "第2网格党支部", K.BRANCH, HQ_GRID2, party_world["hq_committee"])
    assert problems(users["hq_leader"])[HQ_GRID2] == "no_secretary"


def test_figures_per_village_and_town_and_outsider(party_world: dict[str, Any]) -> None:
    users = party_world["users"]
    member = enrol(party_world, 1, user_id=users["hq_sec"].pk)
    actions.do_set_secretary(party_world["hq_branch"], member, actor=users["system"], now=NOW)
    figures = selectors.one_shoulder_figures(selectors.one_shoulder_checks(["320507"]))
    assert figures["by_town"] == {
        "320507003": {"grids": 2, "satisfied": 1, "share": 0.5},
        "320507105": {"grids": 2, "satisfied": 0, "share": 0.0},
    }
    assert figures["by_village"]["320507003201"]["satisfied"] == 1
    assert set(problems(users["wt_leader"])) == {WT_GRID, "320507105201002"}


def test_dedicated_grids_checked_only_when_configured(party_world: dict[str, Any]) -> None:
    Grid.objects.filter(code=HQ_GRID2).update(kind=Grid.Kind.DEDICATED)
    leader = party_world["users"]["hq_leader"]
    assert HQ_GRID2 not in problems(leader)
    with override_settings(PARTY_ONE_SHOULDER_ALL_GRIDS=True):
        assert problems(leader)[HQ_GRID2] == "no_head"


def test_secretary_must_be_a_member_and_outsider_refused(party_world: dict[str, Any]) -> None:
    users = party_world["users"]
    wt_member = enrol(party_world, 3, grid=WT_GRID, branch="wt_branch")
    with pytest.raises(DomainError) as refused:
        actions.do_set_secretary(party_world["hq_branch"], wt_member, actor=users["system"], now=NOW)
    assert refused.value.code == "secretary_not_member"
    hq_member = enrol(party_world, 4)
    with pytest.raises(NotFound):
        actions.do_set_secretary(party_world["hq_branch"], hq_member, actor=users["wt_leader"], now=NOW)
