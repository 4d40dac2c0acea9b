"""GET /api/v1/me/"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_me_for_a_grid_worker(personas: dict[str, User]) -> None:
    response = client_for(personas["hq_grid"]).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"username": "hq_grid", "display_name": "hq_grid"}
    assert body["roles"] == [{"code": "grid_worker", "label": "网格员"}]
    assert body["org_units"][0]["code"] == "320507003201-vc"
    assert body["assignments"][0]["territory_code"] == "320507003201001"
    assert body["jurisdiction"] == [{"code": "320507003201001", "name": "黄桥测试村第1网格"}]


def test_me_for_the_dispatcher_names_the_district(personas: dict[str, User]) -> None:
    body = client_for(personas["dispatcher"]).get("/api/v1/me/").json()
    assert body["jurisdiction"] == [{"code": "320507", "name": "相城区"}]


def test_me_in_english_labels(personas: dict[str, User]) -> None:
    client = client_for(personas["hq_leader"])
    body = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["roles"] == [{"code": "leader", "label": "Leader"}]


def test_me_unauthenticated(api: APIClient) -> None:
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"
