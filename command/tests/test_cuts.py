"""/api/v1/command/figures/ (and figures/items/) cut by stream, event class, source channel and the org unit
holding the items, over the grid tests' planted week in 黄桥 (grid/tests/test_figures.py), each value
computed by hand:

- by channel: patrol E1, E3, E5, E6; resident web E2 (E7 voided, E8 a duplicate); hotline E4.
- by unit: at the end of the week the town's urban office (城市管理办公室) holds E2, E3, E5 (it closed
  them: E5 came by the whistle) and E4 (parked); the village committee holds E1 (closed).
- by class: every event of the week is 0102 暴露垃圾 (major class 01 市容环境), so a cut by it is the whole
  week and a cut by another class is empty.

Refusals: each bad parameter names its field; a cut an indicator cannot take is a 400 naming it; an org
unit of another town is not found; other roles are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from grid.figures.ledger import figures_for
from grid.tests.test_figures import G1, G2, HUANGQIAO, VILLAGE, WEEK, Scenario
from workflow.rollups import fold_all

pytestmark = pytest.mark.django_db

PARAMS = {"level": "town", "code": HUANGQIAO, "from": "2026-03-02", "to": "2026-03-08"}
URBAN = "320507003-urban"
VC = "320507003201-vc"


def get(user: User | None, path: str, **params: str) -> Any:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api.get(f"/api/v1/command/{path}", params)


def values(user: User, **params: str) -> dict[str, Any]:
    response = get(user, "figures/", **PARAMS, **params)
    assert response.status_code == 200, response.content
    return {code: figure["value"] for code, figure in response.json()["indicators"].items()}


@pytest.fixture
def wt_leader(personas: dict[str, User]) -> User:
    unit = OrgUnit.objects.get(code="320507105201-vc")
    return make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")


@pytest.mark.parametrize("folded", [False, True])
def test_cut_by_source(week: Callable[[], Scenario], personas: dict[str, User], folded: bool) -> None:
    week()
    if folded:
        fold_all("grid_event", now=WEEK[1])
    patrol = values(personas["hq_leader"], source="patrol")
    # valid E1, E3, E5, E6; filed E1, E3, E5; closed E1, E3, E5, E6 (E3 late). Due: the four closures,
    # deferred E5; due and closed E1, E3, E6, on time E1, E6.
    assert {code: patrol[code] for code in ("accepted", "filed", "closed", "due", "deferred")} == {
        "accepted": 4,
        "filed": 3,
        "closed": 4,
        "due": 4,
        "deferred": 1,
    }
    assert patrol["closure_rate"] == 1.0  # 3 / (4 − 1)
    assert patrol["on_time_closure_rate"] == 0.6667  # 2 / 3
    assert patrol["on_time_disposal_rate"] == 0.75  # 3 / 4
    assert patrol["source_share"] == {"patrol": 1.0}
    assert patrol["resident_reports"] == 0 and patrol["missed_report_rate"] is None
    resident = values(personas["hq_leader"], source="resident_web")
    # E2, reworked once
    assert (resident["filed"], resident["closed"], resident["rework_rate"]) == (1, 1, 1.0)
    assert (resident["resident_reports"], resident["missed_report_rate"]) == (1, 1.0)  # E2 was missed
    hotline = values(personas["hq_leader"], source="hotline")
    assert (hotline["filed"], hotline["closed"], hotline["missed_report_rate"]) == (1, 0, 0.0)  # E4
    # Every channel's counts add up to the week's.
    whole = values(personas["hq_leader"])
    for code in ("accepted", "filed", "closed", "resident_reports", "missed_reports"):
        assert patrol[code] + resident[code] + hotline[code] == whole[code], code
    # Patrol coverage has no channel: it is not in a channel's answer.
    assert "patrol_coverage" not in patrol and "approvals_accepted" not in patrol


@pytest.mark.parametrize("folded", [False, True])
def test_cut_by_unit(week: Callable[[], Scenario], personas: dict[str, User], folded: bool) -> None:
    week()
    if folded:
        fold_all("grid_event", now=WEEK[1])
    urban = values(personas["hq_leader"], unit=URBAN)
    # filed E2, E3, E4, E5; closed E2, E3, E5 (E3 late); due E2, E3, E5, deferred E5 (extended);
    # due and closed E2, E3, on time E2; one rework (E2) and one extension (E5).
    assert {code: urban[code] for code in ("filed", "closed", "due", "deferred")} == {
        "filed": 4,
        "closed": 3,
        "due": 3,
        "deferred": 1,
    }
    assert (urban["closure_rate"], urban["on_time_closure_rate"]) == (1.0, 0.5)  # 2 / 2, 1 / 2
    assert (urban["on_time_disposal_rate"], urban["rework_rate"]) == (0.6667, 0.3333)  # 2 / 3, 1 / 3
    assert urban["extension_rate"] == 0.3333  # 1 / 3
    # The grid's agency figures of the office agree on what the office closed.
    office = figures_for(personas["dispatcher"], "agency", URBAN, *WEEK)
    assert (office.closed, office.closed_on_time, office.reworks, office.extended) == (3, 2, 1, 1)
    village = values(personas["hq_leader"], unit=VC)
    assert (village["filed"], village["closed"], village["on_time_disposal_rate"]) == (1, 1, 1.0)  # E1
    # Approvals and enforcement indicators of the rollup take a unit too (none of them this week).
    assert urban["approvals_accepted"] == 0 and "approvals_satisfaction" not in urban


def test_cut_by_category_and_stream(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    whole = values(personas["hq_leader"])
    for category in ("event:0102", "event:01"):  # the minor class, and its major class
        cut = values(personas["hq_leader"], category=category)
        for code in ("filed", "closed", "score"):
            assert cut[code] == whole[code], (category, code)
    other = values(personas["hq_leader"], category="event:0101")
    assert (other["filed"], other["closed"], other["closure_rate"]) == (0, 0, None)
    grid = get(personas["hq_leader"], "figures/", stream="grid", **PARAMS).json()
    assert grid["cut"] == {"stream": "grid"} and "approvals_accepted" not in grid["indicators"]
    assert grid["indicators"]["filed"]["value"] == 5
    approvals = get(personas["hq_leader"], "figures/", stream="approvals", **PARAMS).json()["indicators"]
    assert approvals and all(code.startswith("approvals_") for code in approvals)


def test_trend_ranking_and_items_take_the_cut(
    week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    s = week()
    leader = personas["hq_leader"]
    trend = get(leader, "figures/", indicator="filed", group_by="day", source="patrol", **PARAMS).json()
    assert [row["value"] for row in trend["series"]] == [2, 1, 0, 0, 0, 0, 0]  # Mon E1, E3; Tue E5
    ranking = get(
        leader,
        "figures/",
        indicator="filed",
        group_by="unit",
        source="patrol",
        level="village",
        code=VILLAGE,
        **{"from": PARAMS["from"], "to": PARAMS["to"]},
    ).json()
    assert [(row["code"], row["value"]) for row in ranking["units"]] == [(G1, 3), (G2, 0)]
    for params, code, expected in (
        ({"source": "patrol"}, "filed", ("E1", "E3", "E5")),
        ({"unit": URBAN}, "closed", ("E2", "E3", "E5")),
        ({"unit": URBAN, "source": "hotline"}, "filed", ("E4",)),
        ({"category": "event:0101"}, "filed", ()),
    ):
        body = get(leader, "figures/items/", indicator=code, **PARAMS, **params).json()
        figure = values(leader, indicator=code, **params)[code]
        assert body["count"] == len(body["items"]) == figure == len(expected), params
        assert sorted(row["receipt_number"] for row in body["items"]) == sorted(
            s.events[name].receipt_number for name in expected
        )


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"stream": "weather"}, 400, "stream"),
        ({"category": "0102"}, 400, "category"),
        ({"category": "event:9999"}, 400, "category"),
        ({"category": "event:99"}, 400, "category"),
        ({"source": "fax"}, 400, "source"),
        ({"unit": "no-such-unit"}, 404, "unit"),
        ({"unit": "x" * 41}, 400, "unit"),
        # A cut the indicator cannot take names the parameter.
        ({"indicator": "approvals_satisfaction", "unit": URBAN}, 400, "unit"),
        ({"indicator": "approvals_done", "source": "patrol"}, 400, "source"),
        ({"indicator": "patrol_coverage", "category": "event:0102"}, 400, "category"),
        ({"indicator": "filed", "stream": "approvals"}, 400, "stream"),
    ],
)
def test_bad_cuts_name_the_field(
    personas: dict[str, User], reference: Any, params: dict[str, str], status: int, field: str
) -> None:
    for path in ("figures/", "figures/items/"):
        query = {"indicator": "filed", **params} if path.endswith("items/") else params
        response = get(personas["hq_leader"], path, **PARAMS, **query)
        assert response.status_code == status, (path, params, response.content)
        assert response.json()["errors"][0]["field"] == field, (path, params)


def test_the_outsider_and_other_roles(
    week: Callable[[], Scenario], personas: dict[str, User], wt_leader: User
) -> None:
    week()
    # 黄桥's leader cannot cut by a unit of 渭塘, nor 渭塘's leader by 黄桥's office: not found.
    for user, unit in ((personas["hq_leader"], "320507105201-vc"), (wt_leader, URBAN)):
        for path in ("figures/", "figures/items/"):
            response = get(user, path, indicator="filed", unit=unit)
            assert response.status_code == 404 and response.json()["errors"][0]["field"] == "unit", path
    # A district unit above the town may cut the town's figures (the town's items only).
    centre = get(personas["hq_leader"], "figures/", indicator="filed", unit="320507-command", **PARAMS)
    assert centre.status_code == 200 and centre.json()["indicators"]["filed"]["value"] == 0
    # The outsider's own town, cut by its own village committee: 渭塘's one report was never filed.
    own = get(wt_leader, "figures/", indicator="accepted", unit="320507105201-vc")
    assert own.status_code == 200 and own.json()["indicators"]["accepted"]["value"] == 0
    for who in ("hq_grid", "hq_agency", "hq_officer"):
        refused = get(personas[who], "figures/", source="patrol", **PARAMS)
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "not_allowed", who
    assert get(None, "figures/", source="patrol").status_code in (401, 403)
