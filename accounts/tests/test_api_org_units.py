"""GET /api/v1/org-units/ and /api/v1/org-units/{code}/"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def codes(response: object) -> set[str]:
    return {u["code"] for u in response.json()["results"]}  # type: ignore[attr-defined]


def test_leader_lists_own_town_units(personas: dict[str, User]) -> None:
    response = client_for(personas["hq_leader"]).get("/api/v1/org-units/")
    assert response.status_code == 200
    assert codes(response) == {"320507003-gov", "320507003-urban", "320507003-squad1", "320507003201-vc"}


def test_detail(personas: dict[str, User]) -> None:
    response = client_for(personas["hq_leader"]).get("/api/v1/org-units/320507003-urban/")
    assert response.status_code == 200
    body = response.json()
    assert body["parent"] == "320507003-gov" and body["kind"] == "agency" and body["kind_label"] == "职能机构"
    assert body["work_hours"] == [["08:30", "12:00"], ["13:30", "17:30"]]


def test_outsider_gets_404_for_huangqiao_units(personas: dict[str, User]) -> None:
    client = client_for(personas["wt_grid"])
    # A grid worker's jurisdiction is the grid: the village committee (a 12-digit code) is outside it.
    assert codes(client.get("/api/v1/org-units/")) == set()
    response = client.get("/api/v1/org-units/320507003-gov/")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


def test_unauthenticated(api: APIClient, personas: dict[str, User]) -> None:
    assert api.get("/api/v1/org-units/").status_code == 401
    assert api.get("/api/v1/org-units/320507003-gov/").status_code == 401


def test_filters(personas: dict[str, User]) -> None:
    client = client_for(personas["dispatcher"])
    assert codes(client.get("/api/v1/org-units/?kind=village_committee")) == {
        "320507003201-vc",
        "320507105201-vc",
    }
    assert codes(client.get("/api/v1/org-units/?territory=320507105")) == {"320507105201-vc"}


@pytest.mark.parametrize(("query", "field"), [("kind=bank", "kind"), ("territory=3205x", "territory")])
def test_bad_filter_is_400_with_field(personas: dict[str, User], query: str, field: str) -> None:
    response = client_for(personas["dispatcher"]).get(f"/api/v1/org-units/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
