"""The map page and a grid's page: login required, rendered for staff, scoped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_map_page_requires_login(territory: Any) -> None:
    response = Client().get("/territory/map/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/territory/map/")


def test_map_page_renders(personas: dict[str, Any]) -> None:
    response = logged_in(personas["dispatcher"]).get("/territory/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="territory-map"' in html and "data-grids-loaded" in html
    assert "vendor/leaflet/leaflet.js" in html and "js/map.js" in html and "css/map.css" in html
    assert "边界为生成数据（示意）" in html
    config = json.loads(
        html.split('<script id="territory-map-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["urls"]["grids"] == "/api/v1/territory/grids/"
    assert config["urls"]["grid"] == "/api/v1/territory/grids/{code}/"
    assert config["tileUrl"] == ""
    assert config["labels"]["syntheticNote"] == "边界为生成数据（示意）"


@override_settings(MAP_TILE_URL="https://tiles.intranet.example/{z}/{x}/{y}.png")
def test_map_page_passes_the_tile_url(personas: dict[str, Any]) -> None:
    html = logged_in(personas["hq_grid"]).get("/territory/map/").content.decode()
    assert "tiles.intranet.example" in html


def test_grid_page(personas: dict[str, Any]) -> None:
    response = logged_in(personas["hq_leader"]).get("/territory/grids/320507003201001/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "黄桥测试村第1网格" in html and "黄桥街道" in html and "网格员" in html and "生成数据" in html


def test_grid_page_outsider_malformed_and_anonymous(personas: dict[str, Any]) -> None:
    outsider = logged_in(personas["wt_grid"])
    assert outsider.get("/territory/grids/320507003201001/").status_code == 404
    assert outsider.get("/territory/grids/abc/").status_code == 404
    assert Client().get("/territory/grids/320507003201001/").status_code == 302
