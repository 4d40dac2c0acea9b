"""command_figures against numbers worked out by hand from the world built here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from party import actions, selectors
from party.tests.conftest import HQ_GRID, HQ_GRID2, NOW, WT_GRID, K, enrol, org

pytestmark = pytest.mark.django_db


def test_figures_by_hand(party_world: dict[str, Any]) -> None:
    users = party_world["users"]
    system = users["system"]
    org(
        system,
        "产业发展行动支部",
        K.ACTION_BRANCH,
        "320507003201",
        party_world["hq_branch"],
        action_type="industrial",
    )
    org(
        system,
        "便民行动支部",
        K.ACTION_BRANCH,
        "320507003201",
        party_world["hq_branch"],
        action_type="convenience",
    )
    secretary = enrol(party_world, 1, user_id=users["hq_sec"].pk)
    second = enrol(party_world, 2, status="probationary", mobile=True)
    enrol(party_world, 3, grid=HQ_GRID2)
    enrol(party_world, 4, joined_on=NOW.date())  # joined today: counted from today
    enrol(party_world, 5, grid=WT_GRID, branch="wt_branch")  # another town: never counted for 黄桥
    actions.do_set_secretary(party_world["hq_branch"], secretary, actor=system, now=NOW)
    for household in party_world["households"][:2]:
        actions.do_link_member(secretary, household=household, actor=system, now=NOW)
    actions.do_link_member(second, household=party_world["households"][0], actor=system, now=NOW)
    actions.do_link_member(second, entity=party_world["entity"], actor=system, now=NOW)

    figures = selectors.command_figures(users["hq_leader"], now=NOW)
    # 黄桥: 党工委 + village branch + 2 action branches.
    assert figures["organisations_by_kind"]["working_committee"] == 1
    assert figures["organisations_by_kind"]["branch"] == 1
    assert figures["organisations_by_kind"]["action_branch"] == 2
    assert figures["organisations_by_kind"]["committee"] == 0
    assert figures["action_branches_by_type"] == {"industrial": 1, "convenience": 1}
    assert figures["members"] == 4
    assert figures["members_by_status"] == {"formal": 3, "probationary": 1}
    assert figures["mobile_members"] == 1
    assert figures["members_per_grid"] == {HQ_GRID: 3, HQ_GRID2: 1}
    # Grid 1: head hq_sec = secretary; grid 2: no head → 1 of 2.
    assert figures["one_shoulder"] == {"grids": 2, "satisfied": 1, "share": 0.5}
    # 2 of 4 members linked; households 0 and 1 (0 twice, counted once); one enterprise.
    assert figures["links"] == {
        "members_with_links": 2,
        "member_share": 0.5,
        "households": 2,
        "enterprises": 1,
    }

    # The day before, nothing had been registered yet.
    earlier = selectors.command_figures(users["hq_leader"], now=NOW - timedelta(days=1))
    assert earlier["members"] == 0 and earlier["organisations_by_kind"]["branch"] == 0

    outsider = selectors.command_figures(users["wt_leader"], now=NOW)
    assert outsider["members"] == 1 and outsider["members_per_grid"] == {WT_GRID: 1}
    assert outsider["organisations_by_kind"]["committee"] == 1
    assert outsider["organisations_by_kind"]["working_committee"] == 0
    assert outsider["links"]["households"] == 0
    assert outsider["one_shoulder"] == {"grids": 2, "satisfied": 0, "share": 0.0}
