"""/grid/grids/<code>/lists/: the three lists as a page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from grid.models import GridBasicInfo, PatrolItem

pytestmark = pytest.mark.django_db

GRID = "320507003201001"
URL = f"/grid/grids/{GRID}/lists/"


@pytest.fixture
def village_head(personas: dict[str, Any], reference: dict[str, int]) -> User:
    unit = OrgUnit.objects.get(code="320507003201-vc")
    return make_person("hq_village", unit=unit, role=Role.GRID_HEAD, territory_code="320507003201")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_grid_worker_sees_three_lists(reference: dict[str, int], personas: dict[str, Any]) -> None:
    response = logged_in(personas["hq_grid"]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["基础信息清单", "巡查事项清单", "责任清单", "黄桥街道城市管理办公室", "hq_grid"]:
        assert text in html
    assert 'name="form"' not in html  # no edit forms for the grid worker


def test_outsider_and_anonymous(reference: dict[str, int], personas: dict[str, Any]) -> None:
    assert logged_in(personas["wt_grid"]).get(URL).status_code == 404
    assert Client().get(URL).status_code == 302


def test_village_edits_through_the_page(village_head: User) -> None:
    client = logged_in(village_head)
    assert 'name="form"' in client.get(URL).content.decode()
    response = client.post(
        URL, {"form": "patrol", "name": "消防通道", "frequency": "daily", "checkpoint": ""}
    )
    assert response.status_code == 302
    response = client.post(
        URL,
        {
            "form": "basic",
            "households": 300,
            "residents": 900,
            "places": 3,
            "key_places": 1,
            "enterprises": 2,
        },
    )
    assert response.status_code == 302
    assert PatrolItem.objects.get().name == "消防通道"
    assert GridBasicInfo.objects.get().residents == 900
    assert "消防通道" in client.get(URL).content.decode()


def test_bad_form_and_refused_user(village_head: User, personas: dict[str, Any]) -> None:
    bad = logged_in(village_head).post(URL, {"form": "patrol", "name": "", "frequency": "hourly"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    refused = logged_in(personas["hq_agency"]).post(
        URL, {"form": "patrol", "name": "x", "frequency": "daily"}
    )
    assert refused.status_code == 403
    assert not PatrolItem.objects.exists()
