"""GET routing/preview/: staff see the decision without it being recorded."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from grid.models import RoutingDecision

pytestmark = pytest.mark.django_db

URL = "/api/v1/grid/routing/preview/"
GRID = "320507003201001"


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_dispatcher_previews_without_recording(reference: dict[str, int], personas: dict[str, Any]) -> None:
    response = client_for(personas["dispatcher"]).get(URL, {"category": "0102", "grid": GRID})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["routed"] is True and body["org_unit"]["code"] == "320507003-urban"
    assert (body["level"], body["basis"], body["kind"]) == ("town", "territorial", "event")
    assert "上溯至镇/街道 320507003 匹配 黄桥街道城市管理办公室" in body["reason_text"]
    assert [s["matched"] for s in body["trail"]] == [False, False, True]
    component = client_for(personas["dispatcher"]).get(
        URL, {"category": "0101", "grid": GRID, "kind": "component"}
    )
    assert component.json()["basis"] == "owner"
    unrouted = client_for(personas["dispatcher"]).get(URL, {"category": "0102", "grid": "320507105201001"})
    assert unrouted.json()["routed"] is False and unrouted.json()["org_unit"] is None
    assert not RoutingDecision.objects.exists()


def test_leader_in_town_may_preview(reference: dict[str, int], personas: dict[str, Any]) -> None:
    assert client_for(personas["hq_leader"]).get(URL, {"category": "0102", "grid": GRID}).status_code == 200


@pytest.mark.parametrize("who", ["hq_grid", "hq_agency", "hq_officer"])
def test_non_staff_refused(reference: dict[str, int], personas: dict[str, Any], who: str) -> None:
    assert client_for(personas[who]).get(URL, {"category": "0102", "grid": GRID}).status_code == 403


def test_outsider_gets_404(reference: dict[str, int], personas: dict[str, Any]) -> None:
    assert client_for(personas["wt_grid"]).get(URL, {"category": "0102", "grid": GRID}).status_code == 404
    assert (
        client_for(personas["hq_leader"])
        .get(URL, {"category": "0102", "grid": "320507105201001"})
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"grid": GRID}, "category"),
        ({"category": "0102"}, "grid"),
        ({"category": "0102", "grid": "12345"}, "grid"),
        ({"category": "0999", "grid": GRID}, "category"),
        ({"category": "0102", "grid": GRID, "kind": "thing"}, "kind"),
    ],
)
def test_bad_input(
    reference: dict[str, int], personas: dict[str, Any], params: dict[str, str], field: str
) -> None:
    response = client_for(personas["dispatcher"]).get(URL, params)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field
