"""四责: who answers for a point or a grid, and officers' patrol logs."""

from __future__ import annotations

from typing import Any

import pytest

from enforcement.tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/enforcement/responsible/"


def test_responsible_for_a_point(people: dict[str, Any]) -> None:
    # 120.555, 31.405 lies in grid 320507003201001 (square 120.55–120.56, 31.40–31.41).
    response = client_for(people["hq_officer"]).get(URL, {"lon": 120.555, "lat": 31.405})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "Feature" and body["geometry"]["type"] == "Polygon"
    props = body["properties"]
    assert props["grid"] == "320507003201001"
    assert props["squad"]["code"] == "320507003-squad1"
    duties = {p["username"]: set(p["duties"]) for p in props["people"]}
    assert duties["hq_officer"] == {"patrol", "enforce"}  # posted to this grid
    assert duties["hq_officer2"] == {"enforce"}  # same squad, another grid
    assert "zone" in duties["hq_squad_leader"]
    assert "supervise" in duties["hq_leader"]
    assert "wt_officer" not in duties


def test_responsible_refusals(people: dict[str, Any]) -> None:
    client = client_for(people["hq_officer"])
    assert client.get(URL, {"lon": 100.0, "lat": 20.0}).status_code == 404
    bad = client.get(URL, {"lon": "east", "lat": "31.4"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "lon"
    assert client.get(URL).status_code == 400
    # The outsider sees nothing of 黄桥.
    assert client_for(people["wt_officer"]).get(URL, {"grid": "320507003201001"}).status_code == 404


def test_patrol_log_and_case_from_a_finding(people: dict[str, Any]) -> None:
    officer = client_for(people["hq_officer"])
    assert (
        client_for(people["hq_grid"]).post("/api/v1/enforcement/patrols/", {"kind": "mobile"}).status_code
        == 403
    )
    bad = officer.post("/api/v1/enforcement/patrols/", {"kind": "walk"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"
    log = officer.post("/api/v1/enforcement/patrols/", {"kind": "mobile"}, format="json").json()
    assert officer.post("/api/v1/enforcement/patrols/", {"kind": "mobile"}, format="json").status_code == 409
    body = officer.post(
        f"/api/v1/enforcement/patrols/{log['id']}/checks/",
        {"lon": 120.555, "lat": 31.405, "finding": "春申路口占道经营水果摊"},
        format="json",
    ).json()
    check = body["checks"][0]
    assert check["grid"] == "320507003201001" and check["at"]
    # Another officer cannot write to this log.
    other = client_for(people["hq_officer2"])
    assert (
        other.post(f"/api/v1/enforcement/patrols/{log['id']}/checks/", {}, format="json").status_code == 404
    )
    response = officer.post(
        f"/api/v1/enforcement/patrol-checks/{check['id']}/case/",
        {
            "procedure": "summary",
            "matter": "CG-003",
            "party_kind": "natural",
            "party_name": "赵六",
            "proposed_fine": "100",
            "officers": ["hq_officer", "hq_officer3"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "patrol"
    assert response.json()["territory_code"] == "320507003201001"
    ended = officer.post(
        f"/api/v1/enforcement/patrols/{log['id']}/end/", {"summary": "一处占道"}, format="json"
    )
    assert ended.json()["ended_at"] is not None and ended.json()["checks"][0]["case"] == response.json()["id"]
