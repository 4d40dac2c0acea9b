"""/api/v1/command/: catalogue, figures (with trend and ranking), the items behind a figure; over the
planted week of grid/tests/test_figures.py (P = 2026-03-02 … 03-08)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from grid.tests.test_figures import HUANGQIAO, VILLAGE, Scenario, at

pytestmark = pytest.mark.django_db

WEEK = {"level": "town", "code": HUANGQIAO, "from": "2026-03-02", "to": "2026-03-08"}


@pytest.fixture
def wt_leader(personas: dict[str, User]) -> User:
    """The outsider: a leader of 渭塘 (another town)."""
    unit = OrgUnit.objects.get(code="320507105201-vc")
    return make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")


def get(user: User | None, path: str, **params: str) -> Any:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api.get(f"/api/v1/command/{path}", params)


def test_catalogue_names_every_indicator(personas: dict[str, User]) -> None:
    body = get(personas["hq_leader"], "indicators/").json()
    rows = {row["code"]: row for row in body["indicators"]}
    assert rows["closure_rate"]["zh"] == "结案率" and rows["closure_rate"]["connected"] is True
    assert "category" in rows["filed"]["dimensions"]
    assert rows["approvals_accepted"]["connected"] is True
    assert rows["approvals_accepted"]["source"] == "审批服务台账汇总"
    assert rows["party_visit_completion"]["definition"] and rows["party_visit_completion"]["connected"]


@pytest.mark.parametrize("who", ["hq_grid", "hq_agency", "hq_officer"])
def test_other_roles_are_refused(personas: dict[str, User], who: str) -> None:
    for path in ("indicators/", "figures/", "figures/items/?indicator=filed"):
        response = get(personas[who], path)
        assert response.status_code == 403, path
        assert response.json()["errors"][0]["code"] == "not_allowed"
    assert get(None, "indicators/").status_code in (401, 403)


def test_figures_of_the_week(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    body = get(personas["hq_leader"], "figures/", **WEEK).json()
    assert body["name"] == "黄桥街道" and body["from"] == "2026-03-02" and body["to"] == "2026-03-08"
    figures = body["indicators"]
    assert figures["filed"]["value"] == 5 and figures["closure_rate"]["value"] == 1.0
    assert figures["score"]["value"] == 85.0 and figures["score"]["grade"] == "B"
    # no application in the week: a connected zero, not a missing source
    assert figures["approvals_accepted"]["connected"] is True and figures["approvals_accepted"]["value"] == 0
    one = get(personas["hq_leader"], "figures/", indicator="closed", **WEEK).json()
    assert list(one["indicators"]) == ["closed"] and one["indicators"]["closed"]["value"] == 5


def test_trend_and_ranking(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    trend = get(personas["dispatcher"], "figures/", indicator="filed", group_by="day", **WEEK).json()
    # filed by report day: Mon E1, E2, E3; Tue E4, E5
    assert [row["value"] for row in trend["series"]] == [3, 2, 0, 0, 0, 0, 0]
    assert trend["series"][0]["day"] == "2026-03-02"
    ranking = get(
        personas["dispatcher"],
        "figures/",
        indicator="filed",
        group_by="unit",
        level="village",
        code=VILLAGE,
        **{"from": WEEK["from"], "to": WEEK["to"]},
    ).json()
    # g1 holds E1, E3, E4, E5; g2 holds E2
    assert [(row["code"][-3:], row["value"]) for row in ranking["units"]][:2] == [("001", 4), ("002", 1)]


def test_items_behind_each_count_equal_the_figure(
    week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    s = week()
    s.act("E4", "unpark", at(5, 9), "dispatcher")
    s.sweep(at(5, 14, 5))  # E4 overdue and open at the end of the week
    figures = get(personas["hq_leader"], "figures/", **WEEK).json()["indicators"]
    for code in ("accepted", "filed", "closed", "due", "deferred", "overdue_open"):
        body = get(personas["hq_leader"], "figures/items/", indicator=code, **WEEK).json()
        assert body["count"] == len(body["items"]) == figures[code]["value"], code
    overdue = get(personas["hq_leader"], "figures/items/", indicator="overdue_open", **WEEK).json()["items"]
    assert [row["receipt_number"] for row in overdue] == [s.events["E4"].receipt_number]
    assert overdue[0]["url"] == f"/grid/events/{s.events['E4'].pk}/" and overdue[0]["overdue"] is True


def test_outsider_sees_nothing_of_another_town(
    week: Callable[[], Scenario], personas: dict[str, User], wt_leader: User
) -> None:
    week()
    for path in ("figures/", "figures/items/"):
        response = get(wt_leader, path, indicator="filed", **WEEK)
        assert response.status_code == 404, path
        assert response.json()["errors"][0]["code"] == "not_found"
    # Without a unit the desk answers for the caller's own town: 渭塘's one report, never 黄桥's.
    own = get(wt_leader, "figures/", indicator="filed", **{"from": WEEK["from"], "to": WEEK["to"]}).json()
    assert own["code"] == "320507105" and own["indicators"]["filed"]["value"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"indicator": "nope"}, "indicator"),
        ({"level": "county", "code": "1"}, "level"),
        ({"level": "town", "code": "12"}, "code"),
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-03-09", "to": "2026-03-01"}, "to"),
        ({"group_by": "week", "indicator": "filed"}, "group_by"),
        ({"group_by": "day"}, "indicator"),
        ({"group_by": "day", "indicator": "filed", "from": "2026-01-01", "to": "2026-06-01"}, "from"),
    ],
)
def test_bad_input_names_the_field(personas: dict[str, User], params: dict[str, str], field: str) -> None:
    response = get(personas["dispatcher"], "figures/", **params)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field


def test_items_need_a_count_indicator(personas: dict[str, User]) -> None:
    for params, field in (({}, "indicator"), ({"indicator": "closure_rate"}, "indicator")):
        response = get(personas["dispatcher"], "figures/items/", **params)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == field


def test_in_the_openapi_document(personas: dict[str, User]) -> None:
    api = APIClient()
    api.force_authenticate(personas["dispatcher"])
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert {
        "/api/v1/command/indicators/",
        "/api/v1/command/figures/",
        "/api/v1/command/figures/items/",
    } <= set(schema["paths"])
