"""The grid's three lists over the API: who may read, who may edit, the outsider, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from audit.models import AuditEvent
from grid.models import GridBasicInfo, PatrolItem

pytestmark = pytest.mark.django_db

GRID = "320507003201001"
LISTS = f"/api/v1/grid/grids/{GRID}/lists/"
BASIC = f"/api/v1/grid/grids/{GRID}/basic-info/"
PATROL = f"/api/v1/grid/grids/{GRID}/patrol-items/"


@pytest.fixture
def people(personas: dict[str, Any], reference: dict[str, int]) -> dict[str, User]:
    village = OrgUnit.objects.get(code="320507003201-vc")
    centre = OrgUnit.objects.get(code="320507-command")
    return {
        **personas,
        "hq_village": make_person(
            "hq_village", unit=village, role=Role.GRID_HEAD, territory_code="320507003201"
        ),
        "steward": make_person("steward", unit=centre, role=Role.DATA_STEWARD),
    }


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def fields_of(response: Any) -> set[str | None]:
    return {e["field"] for e in response.json()["errors"]}


def test_grid_worker_reads_the_three_lists(people: dict[str, User]) -> None:
    response = as_user(people["hq_grid"]).get(LISTS)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["grid"]["code"] == GRID and body["may_edit"] is False
    assert [w["username"] for w in body["basic_info"]["grid_workers"]] == ["hq_grid"]
    assert body["basic_info"]["households"] == 0 and body["patrol_items"] == []
    by_major = {(r["kind"], r["category"]["code"]): r for r in body["responsibilities"]}
    environment = by_major[("event", "01")]["result"]
    assert environment["org_unit"]["code"] == "320507003-urban" and environment["level"] == "town"
    assert "黄桥街道城市管理办公室" in environment["reason_text"]


def test_village_and_agency_read_outsider_gets_404(people: dict[str, User]) -> None:
    assert as_user(people["hq_village"]).get(LISTS).json()["may_edit"] is True
    assert as_user(people["hq_agency"]).get(LISTS).json()["may_edit"] is False
    response = as_user(people["wt_grid"]).get(LISTS)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    assert as_user(people["hq_grid"]).get("/api/v1/grid/grids/320507003201999/lists/").status_code == 404
    assert APIClient().get(LISTS).status_code == 401


def test_village_edits_basic_info(people: dict[str, User]) -> None:
    response = as_user(people["hq_village"]).patch(
        BASIC, {"households": 320, "residents": 1050, "estates": "黄桥新村"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["households"] == 320
    info = GridBasicInfo.objects.get(grid_id=GRID)
    assert (info.households, info.residents, info.enterprises, info.updated_by) == (
        320,
        1050,
        0,
        people["hq_village"],
    )
    audit = AuditEvent.objects.get(action="grid.basic_info_updated")
    after: Any = audit.after
    assert audit.territory_code == GRID and audit.before is None and after["households"] == 320
    steward = as_user(people["steward"]).patch(BASIC, {"enterprises": 12}, format="json")
    assert steward.status_code == 200
    info.refresh_from_db()
    assert (info.households, info.enterprises) == (320, 12)
    last: Any = AuditEvent.objects.filter(action="grid.basic_info_updated").last()
    assert last.before["enterprises"] == 0


@pytest.mark.parametrize("who", ["hq_grid", "hq_agency", "hq_leader"])
def test_others_in_jurisdiction_cannot_edit(people: dict[str, User], who: str) -> None:
    client = as_user(people[who])
    assert client.patch(BASIC, {"households": 1}, format="json").status_code == 403
    assert client.post(PATROL, {"name": "消防通道", "frequency": "daily"}, format="json").status_code == 403
    assert not GridBasicInfo.objects.exists() and not PatrolItem.objects.exists()


def test_outsider_gets_404_on_writes(people: dict[str, User]) -> None:
    client = as_user(people["wt_grid"])
    assert client.patch(BASIC, {"households": 1}, format="json").status_code == 404
    assert client.post(PATROL, {"name": "消防通道", "frequency": "daily"}, format="json").status_code == 404
    assert not GridBasicInfo.objects.exists() and not PatrolItem.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"households": -1}, "households"),
        ({"residents": "many"}, "residents"),
        ({"population": 5}, "population"),
        ({}, None),
    ],
)
def test_basic_info_bad_input(people: dict[str, User], payload: dict[str, Any], field: str | None) -> None:
    response = as_user(people["hq_village"]).patch(BASIC, payload, format="json")
    assert response.status_code == 400
    assert field in fields_of(response)


def test_village_adds_patrol_items(people: dict[str, User]) -> None:
    client = as_user(people["hq_village"])
    response = client.post(
        PATROL,
        {
            "name": "河道巡查",
            "frequency": "weekly",
            "category": "0105",
            "checkpoint": "东河桥",
            "lon": 120.55,
            "lat": 31.4,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["category"]["name"] == "水域不洁" and body["frequency"] == "weekly"
    assert client.post(PATROL, {"name": "消防通道", "frequency": "daily"}, format="json").status_code == 201
    # The grid worker of the grid sees them.
    items = as_user(people["hq_grid"]).get(LISTS).json()["patrol_items"]
    assert [i["name"] for i in items] == ["河道巡查", "消防通道"]
    assert AuditEvent.objects.filter(action="grid.patrol_item_saved", territory_code=GRID).count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"frequency": "daily"}, "name"),
        ({"name": "x", "frequency": "hourly"}, "frequency"),
        ({"name": "x", "frequency": "daily", "category": "0999"}, "category"),
        ({"name": "x", "frequency": "daily", "category": "abc"}, "category"),
        ({"name": "x", "frequency": "daily", "lon": 120.5}, "lon"),
        ({"name": "x", "frequency": "daily", "lat": 95, "lon": 120}, "lat"),
    ],
)
def test_patrol_item_bad_input(people: dict[str, User], payload: dict[str, Any], field: str) -> None:
    response = as_user(people["hq_village"]).post(PATROL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in fields_of(response)
    assert not PatrolItem.objects.exists()


def test_lists_query_count_does_not_grow_with_items(people: dict[str, User]) -> None:
    village = as_user(people["hq_village"])
    reader = as_user(people["hq_grid"])
    village.post(PATROL, {"name": "a", "frequency": "daily", "category": "0102"}, format="json")
    with CaptureQueriesContext(connection) as one:
        reader.get(LISTS)
    for n in range(5):
        village.post(PATROL, {"name": f"b{n}", "frequency": "daily", "category": "0201"}, format="json")
    with CaptureQueriesContext(connection) as six:
        assert len(reader.get(LISTS).json()["patrol_items"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries)
