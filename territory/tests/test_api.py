"""The territory JSON API: happy paths for district and town staff, the outsider (404), bad input (400
with the field), unauthenticated (401), and a valid OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from territory.coords import wgs84_to_gcj02

pytestmark = pytest.mark.django_db

BASE = "/api/v1/territory"
HQ_GRID = "320507003201001"
WT_GRID = "320507105201001"


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_field(response: Any) -> str | None:
    field: str | None = response.json()["errors"][0]["field"]
    return field


@pytest.fixture
def dispatcher(personas: dict[str, Any]) -> APIClient:
    return client_for(personas["dispatcher"])


@pytest.fixture
def hq_leader(personas: dict[str, Any]) -> APIClient:
    return client_for(personas["hq_leader"])


@pytest.fixture
def outsider(personas: dict[str, Any]) -> APIClient:
    return client_for(personas["wt_grid"])


@pytest.mark.parametrize(
    "path",
    [
        "divisions/",
        "grids/",
        f"grids/{HQ_GRID}/",
        "locate/?lon=120.555&lat=31.405",
        "layers/district/",
        "layers/towns/",
        "layers/villages/",
    ],
)
def test_unauthenticated_is_401(territory: Any, path: str) -> None:
    response = APIClient().get(f"{BASE}/{path}")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_division_tree_for_the_dispatcher(dispatcher: APIClient) -> None:
    body = dispatcher.get(f"{BASE}/divisions/").json()
    (district,) = body["roots"]
    assert district["code"] == "320507" and district["path"] == []
    towns = {t["code"]: t for t in district["children"]}
    assert set(towns) == {"320507003", "320507105"}
    assert towns["320507003"]["children"][0]["code"] == "320507003201"
    assert towns["320507003"]["children"][0]["children"] == []


def test_division_tree_is_scoped(hq_leader: APIClient, outsider: APIClient) -> None:
    (town,) = hq_leader.get(f"{BASE}/divisions/").json()["roots"]
    assert town["code"] == "320507003" and town["name"] == "黄桥街道"
    assert town["path"] == [{"code": "320507", "name": "相城区"}]
    # A grid worker's jurisdiction is a grid: no division lies inside it.
    assert outsider.get(f"{BASE}/divisions/").json() == {"roots": []}


def test_grids_as_geojson(dispatcher: APIClient, hq_leader: APIClient) -> None:
    body = dispatcher.get(f"{BASE}/grids/").json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == sorted(
        [HQ_GRID, "320507003201002", WT_GRID, "320507105201002"]
    )
    props = body["features"][0]["properties"]
    assert props == {
        "code": HQ_GRID,
        "name": "黄桥测试村第1网格",
        "kind": "comprehensive",
        "kind_label": "综合网格",
        "area_class": "B",
        "dedicated_to": "",
        "village": "320507003201",
        "village_name": "黄桥测试村",
        "town": "320507003",
        "town_name": "黄桥街道",
        "synthetic": True,
        "version": 1,
    }
    assert body["features"][0]["geometry"]["type"] == "Polygon"
    town = hq_leader.get(f"{BASE}/grids/").json()
    assert {f["id"][:9] for f in town["features"]} == {"320507003"}
    filtered = dispatcher.get(f"{BASE}/grids/?village=320507105201").json()
    assert {f["id"] for f in filtered["features"]} == {WT_GRID, "320507105201002"}
    assert len(dispatcher.get(f"{BASE}/grids/?town=320507003").json()["features"]) == 2


def test_grids_for_the_outsider(outsider: APIClient) -> None:
    body = outsider.get(f"{BASE}/grids/").json()
    assert [f["id"] for f in body["features"]] == [WT_GRID]
    # Their own town as a filter is fine (it contains their grid); 黄桥 is not found.
    assert [f["id"] for f in outsider.get(f"{BASE}/grids/?town=320507105").json()["features"]] == [WT_GRID]
    assert outsider.get(f"{BASE}/grids/?town=320507003").status_code == 404
    assert outsider.get(f"{BASE}/grids/?village=320507003201").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"), [("town=32050700", "town"), ("village=abc", "village"), ("town=3205070031", "town")]
)
def test_grids_bad_filters(dispatcher: APIClient, query: str, field: str) -> None:
    response = dispatcher.get(f"{BASE}/grids/?{query}")
    assert response.status_code == 400
    assert error_field(response) == field


def test_unknown_town_filter_is_404(dispatcher: APIClient) -> None:
    assert dispatcher.get(f"{BASE}/grids/?town=320507999").status_code == 404


def test_grid_detail_with_people(
    dispatcher: APIClient, hq_leader: APIClient, personas: dict[str, Any]
) -> None:
    body = dispatcher.get(f"{BASE}/grids/{HQ_GRID}/").json()
    assert body["type"] == "Feature" and body["id"] == HQ_GRID
    assert body["properties"]["village_name"] == "黄桥测试村"
    assert body["properties"]["town_name"] == "黄桥街道"
    assert body["properties"]["area_class_label"] == "B类区域"
    assert body["people"] == [
        {
            "username": "hq_grid",
            "display_name": "hq_grid",
            "role": "grid_worker",
            "role_label": "网格员",
            "org_unit": {"code": "320507003201-vc", "name": "黄桥测试村村委会"},
        }
    ]
    assert hq_leader.get(f"{BASE}/grids/{HQ_GRID}/").status_code == 200
    assert hq_leader.get(f"{BASE}/grids/{WT_GRID}/").status_code == 404


def test_grid_detail_outsider_missing_and_malformed(outsider: APIClient, dispatcher: APIClient) -> None:
    assert outsider.get(f"{BASE}/grids/{HQ_GRID}/").status_code == 404
    assert outsider.get(f"{BASE}/grids/320507003201002/").status_code == 404
    assert outsider.get(f"{BASE}/grids/{WT_GRID}/").status_code == 200
    assert dispatcher.get(f"{BASE}/grids/320507003201099/").status_code == 404
    response = dispatcher.get(f"{BASE}/grids/12345/")
    assert response.status_code == 400 and error_field(response) == "code"


def test_locate(dispatcher: APIClient, hq_leader: APIClient, outsider: APIClient) -> None:
    body = dispatcher.get(f"{BASE}/locate/?lon=120.555&lat=31.405").json()
    assert body == {
        "grid": HQ_GRID,
        "grid_name": "黄桥测试村第1网格",
        "village": "320507003201",
        "village_name": "黄桥测试村",
        "town": "320507003",
        "town_name": "黄桥街道",
        "lon": 120.555,
        "lat": 31.405,
    }
    lon, lat = wgs84_to_gcj02(120.555, 31.405)
    assert dispatcher.get(f"{BASE}/locate/?lon={lon}&lat={lat}&crs=gcj02").json()["grid"] == HQ_GRID
    assert hq_leader.get(f"{BASE}/locate/?lon=120.555&lat=31.405").status_code == 200
    # The outsider may locate their own grid but not one in 黄桥.
    assert outsider.get(f"{BASE}/locate/?lon=120.655&lat=31.405").json()["grid"] == WT_GRID
    response = outsider.get(f"{BASE}/locate/?lon=120.555&lat=31.405")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


def test_locate_outside_every_grid(dispatcher: APIClient) -> None:
    response = dispatcher.get(f"{BASE}/locate/?lon=116.39&lat=39.9")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "outside_grids"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lat=31.4", "lon"),
        ("lon=abc&lat=31.4", "lon"),
        ("lon=120.5", "lat"),
        ("lon=120.5&lat=95", "lat"),
        ("lon=190&lat=31.4", "lon"),
        ("lon=120.5&lat=31.4&crs=bd09", "crs"),
    ],
)
def test_locate_bad_input(dispatcher: APIClient, query: str, field: str) -> None:
    response = dispatcher.get(f"{BASE}/locate/?{query}")
    assert response.status_code == 400
    assert error_field(response) == field


def test_layers_for_the_dispatcher(dispatcher: APIClient) -> None:
    district = dispatcher.get(f"{BASE}/layers/district/").json()
    assert [f["id"] for f in district["features"]] == ["320507"]
    towns = dispatcher.get(f"{BASE}/layers/towns/").json()
    assert [f["properties"]["name"] for f in towns["features"]] == ["黄桥街道", "渭塘镇"]
    villages = dispatcher.get(f"{BASE}/layers/villages/").json()
    assert [f["id"] for f in villages["features"]] == ["320507003201", "320507105201"]
    assert villages["features"][0]["geometry"]["type"] == "Polygon"
    assert set(villages["features"][0]["properties"]) == {
        "code",
        "name",
        "level",
        "parent",
        "synthetic",
        "seat",
    }
    only = dispatcher.get(f"{BASE}/layers/villages/?town=320507105").json()
    assert [f["id"] for f in only["features"]] == ["320507105201"]


def test_layers_for_the_outsider(outsider: APIClient) -> None:
    assert [f["id"] for f in outsider.get(f"{BASE}/layers/district/").json()["features"]] == ["320507"]
    assert [f["id"] for f in outsider.get(f"{BASE}/layers/towns/").json()["features"]] == ["320507105"]
    assert [f["id"] for f in outsider.get(f"{BASE}/layers/villages/").json()["features"]] == ["320507105201"]
    assert outsider.get(f"{BASE}/layers/villages/?town=320507003").status_code == 404
    response = outsider.get(f"{BASE}/layers/villages/?town=abc")
    assert response.status_code == 400 and error_field(response) == "town"


def test_a_user_without_assignments_sees_nothing(db: None, territory: Any) -> None:
    from django.contrib.auth import get_user_model

    nobody = client_for(get_user_model().objects.create_user(username="nobody", password="x"))
    assert nobody.get(f"{BASE}/grids/").json()["features"] == []
    assert nobody.get(f"{BASE}/layers/district/").json()["features"] == []
    assert nobody.get(f"{BASE}/grids/{HQ_GRID}/").status_code == 404
    assert nobody.get(f"{BASE}/locate/?lon=120.555&lat=31.405").status_code == 404


def test_query_counts_do_not_grow_with_rows(
    dispatcher: APIClient, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        assert len(dispatcher.get(f"{BASE}/grids/").json()["features"]) == 4
    with django_assert_max_num_queries(6):
        dispatcher.get(f"{BASE}/divisions/")


def test_schema_documents_the_endpoints(dispatcher: APIClient) -> None:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    for path in [
        "divisions/",
        "grids/",
        "grids/{code}/",
        "locate/",
        "layers/district/",
        "layers/towns/",
        "layers/villages/",
    ]:
        assert f"/api/v1/territory/{path}" in paths, path
    locate_params = {p["name"] for p in paths["/api/v1/territory/locate/"]["get"]["parameters"]}
    assert locate_params == {"lon", "lat", "crs"}
