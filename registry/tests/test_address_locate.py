"""Locate by address (standard address → point → grid) for staff, and the resident form's anonymous
address search: roles, the outsider, addresses without a point, ambiguous and bad input, the rate limit."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from registry import actions
from registry.tests.conftest import HQ_GRID, NOW
from territory.testing import WEITANG_VILLAGE

pytestmark = pytest.mark.django_db

HQ_VILLAGE = HQ_GRID[:12]
SECOND_GRID = HQ_VILLAGE + "002"  # the test territory's second grid: lon 120.56–120.57


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def addresses(people):
    cache.clear()
    steward = people["hq_steward"]

    def make(code, street, door, lon=None, lat=None):
        return actions.do_create_address(
            territory_code=code, street=street, door_number=door, lon=lon, lat=lat, actor=steward, now=NOW
        )

    return {
        # Registered on the village, its point in the second grid: the point decides.
        "pointed": make(HQ_VILLAGE, "春申路", "88", lon=120.565, lat=31.405),
        "on_grid": make(HQ_GRID, "春申路", "90"),  # no point, registered on a grid
        "nowhere": make(HQ_VILLAGE, "黄埭路", "1"),  # no point, only a village code
        "outside": make(HQ_VILLAGE, "黄埭路", "3", lon=121.9, lat=30.1),  # a point in no grid
    }


def test_steward_locates_an_address_by_id_and_by_text(people, addresses):
    client = as_user(people["hq_steward"])
    by_id = client.get("/api/v1/registry/addresses/locate/", {"address": addresses["pointed"].pk})
    assert by_id.status_code == 200, by_id.content
    body = by_id.json()
    assert (body["grid"], body["village"], body["town"], body["located_by"]) == (
        SECOND_GRID,
        HQ_VILLAGE,
        HQ_GRID[:9],
        "point",
    )
    assert body["grid_name"] == "黄桥测试村第2网格" and body["town_name"] == "黄桥街道"
    assert (body["lon"], body["lat"]) == (120.565, 31.405)
    by_text = client.get("/api/v1/registry/addresses/locate/", {"q": "黄桥 春申路88号"})
    assert by_text.status_code == 200 and by_text.json() == body


def test_address_without_point_on_a_grid_is_that_grid(people, addresses):
    response = as_user(people["hq_clerk"]).get(
        "/api/v1/registry/addresses/locate/", {"address": addresses["on_grid"].pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["grid"] == HQ_GRID and response.json()["located_by"] == "code"
    assert response.json()["lon"] is None


def test_addresses_that_cannot_be_located(people, addresses):
    client = as_user(people["hq_steward"])
    nowhere = client.get("/api/v1/registry/addresses/locate/", {"address": addresses["nowhere"].pk})
    assert nowhere.status_code == 422
    assert nowhere.json()["errors"][0]["code"] == "address_not_located"
    outside = client.get("/api/v1/registry/addresses/locate/", {"address": addresses["outside"].pk})
    assert outside.status_code == 404 and outside.json()["errors"][0]["code"] == "outside_grids"


def test_bad_and_ambiguous_queries(people, addresses):
    client = as_user(people["hq_steward"])
    url = "/api/v1/registry/addresses/locate/"
    assert client.get(url).json()["errors"][0] == {
        "code": "query_required",
        "message": "请提供地址编号或地址关键字。",
        "field": "q",
    }
    assert client.get(url, {"address": "x1"}).json()["errors"][0]["field"] == "address"
    ambiguous = client.get(url, {"q": "春申路"})
    assert ambiguous.status_code == 422 and ambiguous.json()["errors"][0]["code"] == "address_ambiguous"
    assert client.get(url, {"q": "不存在的路"}).status_code == 404
    assert client.get(url, {"address": 999999}).status_code == 404


def test_outsider_and_anonymous_cannot_locate_staff_side(people, addresses):
    url = "/api/v1/registry/addresses/locate/"
    assert as_user(people["wt_steward"]).get(url, {"address": addresses["pointed"].pk}).status_code == 404
    assert APIClient().get(url, {"address": addresses["pointed"].pk}).status_code in (401, 403)


def test_resident_searches_addresses_with_their_grid(people, addresses):
    response = APIClient().get("/api/v1/registry/public/addresses/", {"q": "春申路"})
    assert response.status_code == 200, response.content
    rows = {r["address"]: r for r in response.json()}
    assert set(rows) == {"春申路88号", "春申路90号"}
    assert rows["春申路88号"]["grid"] == SECOND_GRID and rows["春申路88号"]["lon"] == 120.565
    assert rows["春申路90号"]["grid"] == HQ_GRID
    # Addresses that lie in no grid cannot place a report: not offered.
    assert APIClient().get("/api/v1/registry/public/addresses/", {"q": "黄埭路"}).json() == []


def test_resident_search_bad_input_and_rate_limit(people, addresses, settings):
    settings.REGISTRY_PUBLIC_ADDRESS_SEARCHES_PER_HOUR = 2
    client = APIClient()
    empty = client.get("/api/v1/registry/public/addresses/", {"q": " "})
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "q"
    assert client.get("/api/v1/registry/public/addresses/", {"q": "春申"}).status_code == 200
    limited = client.get("/api/v1/registry/public/addresses/", {"q": "春申"})
    assert limited.status_code == 429 and limited.json()["errors"][0]["code"] == "rate_limited"


def test_resident_search_falls_back_on_village_and_grid_names(people, addresses):
    """No standard address matches (or the registries are empty): the village's and grids' names place
    the report, each with a point inside its grid that `locate` puts in that same grid."""
    from territory.locate import locate

    found = APIClient().get("/api/v1/registry/public/addresses/", {"q": "黄桥测试村"}).json()
    # The village's standard addresses come first, its grids' names fill the rest of the list.
    assert [r["located_by"] for r in found] == ["point", "code", "place", "place"]
    rows = found[2:]
    assert [(r["address"], r["grid"], r["located_by"], r["address_id"]) for r in rows] == [
        ("黄桥测试村第1网格", HQ_GRID, "place", None),
        ("黄桥测试村第2网格", SECOND_GRID, "place", None),
    ]
    for row in rows:
        assert locate(row["lon"], row["lat"]).grid_code == row["grid"]
        assert row["town_name"] == "黄桥街道" and row["village_name"] == "黄桥测试村"
    second = APIClient().get("/api/v1/registry/public/addresses/", {"q": "第2网格"}).json()
    assert [r["grid"] for r in second] == [SECOND_GRID, f"{WEITANG_VILLAGE}002"]  # the whole district
    mixed = APIClient().get("/api/v1/registry/public/addresses/", {"q": "春申路"}).json()
    assert {r["located_by"] for r in mixed} == {"point", "code"}
