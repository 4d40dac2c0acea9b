"""Party projects led by branch secretaries (with milestones) and vanguard posts: the API writes through
party/projects.py, and the map layer (GeoJSON) shows both within the jurisdiction, names masked."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from party import actions
from party.models import PartyProject, VanguardPost
from party.tests.conftest import NOW, enrol

pytestmark = pytest.mark.django_db
POINT = {"lon": 120.5552, "lat": 31.4051}


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error(response: Any) -> tuple[int, str, str | None]:
    first = response.json()["errors"][0]
    return response.status_code, first["code"], first["field"]


def test_project_with_milestones_and_the_map(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    branch = party_world["hq_branch"]
    body = {
        "organisation_id": branch.pk,
        "name": "村级稻米合作社",
        **POINT,
        "milestones": [
            {"name": "注册合作社", "planned_on": "2026-04-30"},
            {"name": "首批收购", "planned_on": "2026-10-15"},
        ],
    }
    leader = as_user(users["hq_leader"])
    assert error(leader.post("/api/v1/party/projects/", body, format="json")) == (
        400,
        "no_secretary",
        "organisation_id",
    )
    secretary = enrol(party_world, 1, user_id=users["hq_sec"].pk)
    actions.do_set_secretary(branch, secretary, actor=users["system"], now=NOW)
    assert as_user(users["hq_agency"]).post("/api/v1/party/projects/", body, format="json").status_code == 403
    assert error(as_user(users["wt_leader"]).post("/api/v1/party/projects/", body, format="json")) == (
        404,
        "not_found",
        "organisation_id",
    )
    assert error(leader.post("/api/v1/party/projects/", {**body, "lat": 123}, format="json")) == (
        400,
        "invalid_lat",
        "lat",
    )
    assert error(leader.post("/api/v1/party/projects/", {**body, "name": " "}, format="json"))[0] == 400
    assert not PartyProject.objects.exists()
    created = leader.post("/api/v1/party/projects/", body, format="json")
    assert created.status_code == 201 and created.json()["leader_id"] == secretary.pk
    first = created.json()["milestones"][0]["id"]
    assert as_user(users["wt_leader"]).post(f"/api/v1/party/milestones/{first}/done/").status_code == 404
    done = leader.post(f"/api/v1/party/milestones/{first}/done/")
    assert done.status_code == 200 and done.json()["done_on"] == "2026-03-02"
    assert error(leader.post(f"/api/v1/party/milestones/{first}/done/"))[:2] == (409, "already_done")
    layer = leader.get("/api/v1/party/map.geojson")
    assert layer["Content-Type"] == "application/geo+json"
    feature = layer.json()["features"][0]
    assert feature["geometry"]["coordinates"] == [POINT["lon"], POINT["lat"]]
    props = feature["properties"]
    assert (props["layer"], props["milestones"], props["milestones_done"], props["leader"]) == (
        "party_project",
        2,
        1,
        "李**",
    )
    assert as_user(users["wt_leader"]).get("/api/v1/party/map.geojson").json()["features"] == []
    assert len(leader.get("/api/v1/party/projects/").json()) == 1
    assert as_user(users["wt_leader"]).get("/api/v1/party/projects/").json() == []


def test_vanguard_posts(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    member = enrol(party_world, 1)
    body = {"member_id": member.pk, "name": "便民服务先锋岗", **POINT}
    assert (
        as_user(users["hq_agency"]).post("/api/v1/party/vanguard-posts/", body, format="json").status_code
        == 403
    )
    assert error(as_user(users["wt_leader"]).post("/api/v1/party/vanguard-posts/", body, format="json")) == (
        404,
        "not_found",
        "member_id",
    )
    bad = as_user(users["hq_leader"]).post(
        "/api/v1/party/vanguard-posts/", {**body, "lon": "east"}, format="json"
    )
    assert error(bad)[::2] == (400, "lon")
    assert not VanguardPost.objects.exists()
    created = as_user(users["hq_sec"]).post("/api/v1/party/vanguard-posts/", body, format="json")
    assert created.status_code == 201
    features = as_user(users["hq_leader"]).get("/api/v1/party/map.geojson").json()["features"]
    assert [(f["properties"]["layer"], f["properties"]["member"]) for f in features] == [
        ("vanguard_post", "李**")
    ]
    assert "李党员" not in str(features)
    assert as_user(users["wt_leader"]).get("/api/v1/party/vanguard-posts/").json() == []
