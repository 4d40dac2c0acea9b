"""GET /api/v1/enforcement/officers/ranking/ and the other points endpoints: the hand example's exact
ranking, refused roles, the outsider (404), bad input (400 with the field), the schema."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from evaluation.actions import do_compute_points
from evaluation.testing import build_hand_example, local

URL = "/api/v1/enforcement/officers/ranking/"


def client_for(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def computed(people: dict[str, Any]) -> dict[str, Any]:
    cases = build_hand_example(people)
    do_compute_points("2026-11", actor=people["leader"], now=local(28, 12))
    return cases


def test_ranking_per_squad_and_town(computed: Any, people: dict[str, Any], personas: dict[str, Any]) -> None:
    response = client_for(personas["dispatcher"]).get(URL, {"period": "2026-11", "town": "320507003"})
    assert response.status_code == 200, response.content
    body = response.json()
    squad = next(group for group in body["squads"] if group["code"] == "320507003-squad1")
    assert [(o["name"], o["points"], o["rank"]) for o in squad["officers"]] == [
        ("张三", 8, 1),
        ("王队长", 0, 2),
        ("李四", -4, 3),
    ]
    assert [t["code"] for t in body["towns"]] == ["320507003"]
    assert body["computed_at"] is not None
    # The district dispatcher without a town filter also sees 渭塘's squad (its officer at 0).
    everything = client_for(personas["dispatcher"]).get(URL, {"period": "2026-11"}).json()
    assert {t["code"] for t in everything["towns"]} == {"320507003", "320507105"}


def test_ranking_is_scoped(computed: Any, people: dict[str, Any]) -> None:
    body = client_for(people["wt_officer"]).get(URL, {"period": "2026-11"}).json()
    names = [o["name"] for group in body["squads"] for o in group["officers"]]
    assert names == ["渭塘队员"]
    outsider = client_for(people["wt_officer"]).get(URL, {"period": "2026-11", "town": "320507003"})
    assert outsider.status_code == 404
    squad = client_for(people["wt_officer"]).get(URL, {"period": "2026-11", "squad": "320507003-squad1"})
    assert squad.status_code == 404 and squad.json()["errors"][0]["field"] == "squad"


def test_refused_roles_and_anonymous(computed: Any, personas: dict[str, Any]) -> None:
    for name in ("hq_grid", "hq_agency"):
        assert client_for(personas[name]).get(URL, {"period": "2026-11"}).status_code == 403
    assert APIClient().get(URL, {"period": "2026-11"}).status_code in (401, 403)


@time_machine.travel("2027-01-15 10:00 +0800", tick=False)
def test_without_a_period_the_latest_computed_one_is_ranked(
    computed: Any, people: dict[str, Any], personas: dict[str, Any]
) -> None:
    do_compute_points("2026-10", actor=people["leader"], now=local(28, 12))

    response = client_for(personas["dispatcher"]).get(URL)

    assert response.status_code == 200, response.content
    assert response.json()["period"] == "2026-11"  # not October (older), not January (none computed)


@time_machine.travel("2027-01-15 10:00 +0800", tick=False)
def test_without_a_period_and_none_computed_the_current_one_is_ranked(personas: dict[str, Any]) -> None:
    response = client_for(personas["dispatcher"]).get(URL)

    assert response.status_code == 200, response.content
    assert response.json()["period"] == "2027-01"
    assert response.json()["computed_at"] is None


@pytest.mark.parametrize("params", [{"period": "2026-13"}, {"period": "11-2026"}, {"period": " "}])
def test_bad_period(computed: Any, personas: dict[str, Any], params: dict[str, str]) -> None:
    response = client_for(personas["dispatcher"]).get(URL, params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "period"


def test_bad_town(computed: Any, personas: dict[str, Any]) -> None:
    response = client_for(personas["dispatcher"]).get(URL, {"period": "2026-11", "town": "abc"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "town"


def test_officer_entries_and_rotation(
    computed: Any, people: dict[str, Any], personas: dict[str, Any]
) -> None:
    api = client_for(personas["dispatcher"])
    entries = api.get(f"/api/v1/enforcement/officers/{people['colleague'].pk}/points/", {"period": "2026-11"})
    assert entries.status_code == 200
    assert sorted(e["points"] for e in entries.json()) == [-3, -2, 1]
    hidden = client_for(people["wt_officer"]).get(
        f"/api/v1/enforcement/officers/{people['colleague'].pk}/points/", {"period": "2026-11"}
    )
    assert hidden.status_code == 200 and hidden.json() == []
    assert api.get("/api/v1/enforcement/officers/rotation/", {"period": "2026-11"}).json() == []
    assert api.get("/api/v1/enforcement/officers/rotation/", {"period": "x"}).status_code == 400


def test_compute_endpoint(computed: Any, people: dict[str, Any], personas: dict[str, Any]) -> None:
    response = client_for(people["leader"]).post(
        "/api/v1/enforcement/officers/points/compute/", {"period": "2026-11"}, format="json"
    )
    assert response.status_code == 200 and response.json()["entries"] == 9
    refused = client_for(personas["hq_officer"]).post(
        "/api/v1/enforcement/officers/points/compute/", {"period": "2026-11"}, format="json"
    )
    assert refused.status_code == 403
    bad = client_for(people["leader"]).post("/api/v1/enforcement/officers/points/compute/", {}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "period"


def test_assessment_endpoint(computed: Any, people: dict[str, Any], personas: dict[str, Any]) -> None:
    url = "/api/v1/enforcement/officers/assessments/"
    case = computed["a"]
    ok = client_for(people["reviewer"]).post(
        url, {"case": case.pk, "rule": "file_defective", "note": "缺少送达回证"}, format="json"
    )
    assert (
        ok.status_code == 201 and ok.json()["points"] == -3 and ok.json()["officer"] == people["officer"].pk
    )
    assert (
        client_for(people["officer"])
        .post(url, {"case": case.pk, "rule": "file_defective", "note": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(people["wt_officer"])
        .post(url, {"case": case.pk, "rule": "file_defective", "note": "x"}, format="json")
        .status_code
        == 404
    )
    bad = client_for(people["reviewer"]).post(
        url, {"case": case.pk, "rule": "step_on_time", "note": "x"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "rule"
    blank = client_for(people["reviewer"]).post(
        url, {"case": case.pk, "rule": "file_defective", "note": ""}, format="json"
    )
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "note"
    stranger = client_for(people["reviewer"]).post(
        url,
        {"case": case.pk, "rule": "file_defective", "note": "x", "officer": people["wt_officer"].pk},
        format="json",
    )
    assert stranger.status_code == 400 and stranger.json()["errors"][0]["field"] == "officer"


def test_schema_documents_the_ranking(personas: dict[str, Any]) -> None:
    schema = client_for(personas["dispatcher"]).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    assert operation["operationId"] == "enforcement_officers_ranking"
    assert {p["name"] for p in operation["parameters"]} >= {"period", "town", "squad"}
