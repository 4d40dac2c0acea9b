"""The 一肩挑 rule: a grid without a head raises a warning (橙), a head who is not the branch secretary a
黄 one; assigning the secretary (and making them the grid's head) leaves nothing to find and withdraws the
open warnings. A standing gap is raised once while its warning is open, and again the next month once
that warning is finished."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from accounts.models import OrgUnit, Role
from accounts.testing import make_person
from command.warnings.actions import do_act_on_warning, evaluate_warnings
from command.warnings.models import EarlyWarning, Level, Rule
from command.warnings.rules import Owners, one_shoulder
from command.warnings.selectors import warnings_visible_to
from party.actions import do_set_secretary
from party.selectors import one_shoulder_problems
from party.tests.conftest import HQ_GRID, HQ_GRID2, NOW, WT_GRID, enrol, party_world  # noqa: F401 (fixture)
from territory.models import Grid

pytestmark = pytest.mark.django_db


def found(now: Any = NOW) -> dict[str, tuple[str, str]]:
    return {f.territory_code: (f.evidence["problem"], f.level) for f in one_shoulder(now, Owners())}


def test_a_grid_without_a_head_warns_and_the_secretary_clears_it(party_world: dict[str, Any]) -> None:  # noqa: F811
    users = party_world["users"]
    assert found() == {
        HQ_GRID: ("no_secretary", Level.YELLOW),
        HQ_GRID2: ("no_head", Level.ORANGE),
        WT_GRID: ("no_head", Level.ORANGE),
        "320507105201002": ("no_head", Level.ORANGE),
    }
    report = evaluate_warnings(now=NOW, rules=[Rule.ONE_SHOULDER])
    assert report["one_shoulder"] == {"found": 4, "raised": 4, "withdrawn": 0, "failed": 0}
    no_head = EarlyWarning.objects.get(territory_code=HQ_GRID2)
    assert no_head.owner_unit == OrgUnit.objects.get(code="320507003-gov")
    assert no_head.work_item.state == "raised" and "无网格长" in no_head.title
    # Evaluated again: the open warnings are the situations, nothing new.
    assert (
        evaluate_warnings(now=NOW + timedelta(hours=1), rules=[Rule.ONE_SHOULDER])["one_shoulder"]["raised"]
        == 0
    )
    # The town sees its own grids' warnings, the outsider town only its own.
    assert set(warnings_visible_to(users["hq_leader"]).values_list("territory_code", flat=True)) == {
        HQ_GRID,
        HQ_GRID2,
    }
    assert set(warnings_visible_to(users["wt_leader"]).values_list("territory_code", flat=True)) == {
        WT_GRID,
        "320507105201002",
    }
    # The village secretary is made the branch's secretary and grid 2's head: 黄桥 has nothing left.
    secretary = enrol(party_world, 1, user_id=users["hq_sec"].pk)
    do_set_secretary(party_world["hq_branch"], secretary, actor=users["hq_leader"], now=NOW)
    make_person(
        "hq_sec",
        unit=OrgUnit.objects.get(code="320507003201-vc"),
        role=Role.GRID_HEAD,
        territory_code=HQ_GRID2,
    )
    # 黄桥's grids pass the check; only 渭塘's gaps still hold (their warnings stay open).
    assert set(found()) == {WT_GRID, "320507105201002"}
    assert one_shoulder_problems(users["hq_leader"]) == []
    # The next evaluation withdraws 黄桥's two warnings (自动解除), raises nothing, leaves 渭塘's open.
    later = NOW + timedelta(hours=2)
    report = evaluate_warnings(now=later, rules=[Rule.ONE_SHOULDER])
    assert report["one_shoulder"] == {"found": 2, "raised": 0, "withdrawn": 2, "failed": 0}
    states = dict(EarlyWarning.objects.values_list("territory_code", "work_item__state"))
    assert states == {
        HQ_GRID: "withdrawn",
        HQ_GRID2: "withdrawn",
        WT_GRID: "raised",
        "320507105201002": "raised",
    }
    no_head.refresh_from_db()
    assert no_head.finished_at == later
    last = no_head.work_item.transitions.order_by("-id").first()
    assert last is not None and last.action == "withdraw" and last.actor.is_system
    assert "预警条件已解除" in last.reason and "情形已不存在" in last.reason


def test_a_head_who_is_not_the_secretary(party_world: dict[str, Any]) -> None:  # noqa: F811
    users = party_world["users"]
    other = enrol(party_world, 2, user_id=users["hq_grid"].pk)
    do_set_secretary(party_world["hq_branch"], other, actor=users["system"], now=NOW)
    assert found()[HQ_GRID] == ("head_not_secretary", Level.YELLOW)


def test_dedicated_grids_only_when_configured(party_world: dict[str, Any]) -> None:  # noqa: F811
    Grid.objects.filter(code=HQ_GRID2).update(kind=Grid.Kind.DEDICATED)
    assert HQ_GRID2 not in found()
    with override_settings(PARTY_ONE_SHOULDER_ALL_GRIDS=True):
        assert found()[HQ_GRID2] == ("no_head", Level.ORANGE)


def test_a_standing_gap_comes_back_next_month_once_its_warning_is_finished(
    party_world: dict[str, Any],  # noqa: F811
) -> None:
    users = party_world["users"]
    evaluate_warnings(now=NOW, rules=[Rule.ONE_SHOULDER])
    warning = EarlyWarning.objects.get(territory_code=HQ_GRID2)
    next_month = NOW + timedelta(days=31)
    # Still open next month: the situation holds, its warning stays, nothing is raised again.
    assert found(next_month)[HQ_GRID2] == ("no_head", Level.ORANGE)
    assert evaluate_warnings(now=next_month, rules=[Rule.ONE_SHOULDER])["one_shoulder"]["raised"] == 0
    dispatcher = users["dispatcher"]
    do_act_on_warning(warning, "dismiss", actor=dispatcher, now=NOW, reason="已通知村里配备网格长")
    assert found(next_month)[HQ_GRID2] == ("no_head", Level.ORANGE)
    evaluate_warnings(now=next_month, rules=[Rule.ONE_SHOULDER])
    fingerprints = set(
        EarlyWarning.objects.filter(territory_code=HQ_GRID2).values_list("fingerprint", flat=True)
    )
    assert fingerprints == {
        f"one_shoulder:{HQ_GRID2}:no_head:2026-03",
        f"one_shoulder:{HQ_GRID2}:no_head:2026-04",
    }
