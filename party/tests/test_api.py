from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from party.tests.conftest import HQ_GRID, enrol

pytestmark = pytest.mark.django_db


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_documented_in_the_openapi_document() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("organisations", "members", "one-shoulder", "figures"):
        assert f"/api/v1/party/{path}/" in schema["paths"]


def test_scoped_masked_and_outsider_sees_nothing(party_world: dict[str, Any]) -> None:
    member = enrol(party_world, 1)
    users = party_world["users"]
    leader, outsider = as_user(users["hq_leader"]), as_user(users["wt_leader"])
    names = {o["name"] for o in leader.get("/api/v1/party/organisations/").json()}
    assert names == {"黄桥街道党工委", "黄桥测试村党支部"}
    branch = leader.get("/api/v1/party/organisations/", {"kind": "branch"}).json()
    assert [o["name"] for o in branch] == ["黄桥测试村党支部"]
    members = leader.get("/api/v1/party/members/", {"grid": HQ_GRID}).json()
    assert [(m["id"], m["name"]) for m in members] == [(member.pk, "李**")]
    assert outsider.get("/api/v1/party/members/", {"grid": HQ_GRID}).json() == []
    assert {o["name"] for o in outsider.get("/api/v1/party/organisations/").json()} == {
        "渭塘镇党委",
        "渭塘测试村党支部",
    }
    checks = leader.get("/api/v1/party/one-shoulder/").json()
    assert {g["grid_code"]: g["problem"] for g in checks["grids"]} == {
        HQ_GRID: "no_secretary",
        "320507003201002": "no_head",
    }
    assert {g["grid_code"] for g in outsider.get("/api/v1/party/one-shoulder/").json()["grids"]} == {
        "320507105201001",
        "320507105201002",
    }
    assert leader.get("/api/v1/party/figures/").json()["members"] == 1
    assert outsider.get("/api/v1/party/figures/").json()["members"] == 0


def test_bad_input_and_anonymous(party_world: dict[str, Any]) -> None:
    leader = as_user(party_world["users"]["hq_leader"])
    missing = leader.get("/api/v1/party/members/")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "grid"
    wrong = leader.get("/api/v1/party/organisations/", {"kind": "club"})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["code"] == "invalid_choice"
    assert APIClient().get("/api/v1/party/figures/").status_code in (401, 403)
