"""GET categories/ and standard-versions/."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from grid.standards.actions import do_create_draft_version

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_categories_tree_of_the_current_version(reference: dict[str, int], personas: dict[str, Any]) -> None:
    response = client_for(personas["hq_grid"]).get("/api/v1/grid/categories/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"]["number"] == 1 and body["version"]["state"] == "current"
    majors = {(m["kind"], m["code"]): m for m in body["majors"]}
    environment = majors[("event", "01")]
    assert environment["name"] == "市容环境"
    garbage = next(m for m in environment["minors"] if m["code"] == "0102")
    assert garbage["standards"][0]["limits"] == {"A": 4, "B": 4, "C": 8}
    assert garbage["standards"][0]["unit"] == "work_hours"
    illegal = next(m for m in environment["minors"] if m["code"] == "0101")
    assert [s["unit"] for s in illegal["standards"]] == ["work_hours", "work_days", "work_days"]
    assert majors[("component", "01")]["minors"][0]["name"] == "上水井盖"
    assert client_for(personas["wt_grid"]).get("/api/v1/grid/categories/?version=1").status_code == 200


def test_categories_bad_input_and_anonymous(reference: dict[str, int], personas: dict[str, Any]) -> None:
    client = client_for(personas["hq_grid"])
    response = client.get("/api/v1/grid/categories/?version=x")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "version"
    assert client.get("/api/v1/grid/categories/?version=7").status_code == 404
    assert APIClient().get("/api/v1/grid/categories/").status_code == 401


def test_no_standard_yet_is_404(personas: dict[str, Any]) -> None:
    assert client_for(personas["hq_grid"]).get("/api/v1/grid/categories/").status_code == 404


def test_standard_versions(reference: dict[str, int], personas: dict[str, Any], now: Any) -> None:
    do_create_draft_version(actor=personas["system"], now=now)
    response = client_for(personas["hq_agency"]).get("/api/v1/grid/standard-versions/")
    assert response.status_code == 200
    body = response.json()
    assert [(v["number"], v["state"]) for v in body] == [(2, "draft"), (1, "current")]
    assert body[0]["row_count"] == body[1]["row_count"] > 40
    assert APIClient().get("/api/v1/grid/standard-versions/").status_code == 401


def test_schema_documents_the_grid_api(personas: dict[str, Any]) -> None:
    response = client_for(personas["dispatcher"]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/grid/categories/",
        "/api/v1/grid/standard-versions/",
        "/api/v1/grid/routing/preview/",
        "/api/v1/grid/grids/{code}/lists/",
        "/api/v1/grid/grids/{code}/patrol-items/",
        "/api/v1/grid/grids/{code}/basic-info/",
    ]:
        assert path in paths
