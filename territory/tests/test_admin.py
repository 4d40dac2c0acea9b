"""Admin saves and deletes of grids and enforcement zones go through the actions and are audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from audit.models import AuditEvent
from territory.locate import locate
from territory.models import Division, EnforcementZone, Grid
from territory.testing import square

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(territory: Any) -> Client:
    user = get_user_model().objects.create_superuser(username="steward", password="x", email="s@example.org")
    client = Client()
    client.force_login(user)
    return client


def grid_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "320507003201003",
        "name": "新网格",
        "village": "320507003201",
        "kind": "comprehensive",
        "dedicated_to": "",
        "area_class": "B",
        "active": "on",
        "new_geometry": json.dumps(square(120.555, 31.41, 0.005)),
        "boundaries-TOTAL_FORMS": "0",
        "boundaries-INITIAL_FORMS": "0",
        "boundaries-MIN_NUM_FORMS": "0",
        "boundaries-MAX_NUM_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_lists_render(admin_client: Client) -> None:
    for path in [
        "/admin/territory/grid/",
        "/admin/territory/division/",
        "/admin/territory/enforcementzone/",
        "/admin/territory/grid/320507003201001/change/",
        "/admin/territory/grid/add/",
    ]:
        assert admin_client.get(path).status_code == 200, path


def test_admin_creates_a_grid_through_the_action(admin_client: Client) -> None:
    response = admin_client.post("/admin/territory/grid/add/", grid_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    grid = Grid.objects.get(code="320507003201003")
    boundary = grid.boundaries.get()
    assert boundary.version == 1 and not boundary.synthetic and boundary.source == "admin"
    event = AuditEvent.objects.get(action="territory.grid.created")
    assert event.subject_id == "320507003201003" and event.actor_label == "steward"
    assert locate(120.5575, 31.4125).grid_code == "320507003201003"


def test_admin_redraw_is_a_new_version(admin_client: Client) -> None:
    data = grid_form(
        code="320507003201001",
        name="黄桥测试村第1网格",
        new_geometry=json.dumps(square(120.55, 31.40, 0.005)),
    )
    response = admin_client.post("/admin/territory/grid/320507003201001/change/", data)
    assert response.status_code == 302
    grid = Grid.objects.get(code="320507003201001")
    assert list(grid.boundaries.order_by("version").values_list("version", "valid_to"))[1][1] is None
    assert grid.boundaries.count() == 2
    assert AuditEvent.objects.filter(action="territory.grid.changed", subject_id=grid.code).count() == 1


def test_admin_refuses_bad_grids_with_the_field_named(admin_client: Client) -> None:
    response = admin_client.post("/admin/territory/grid/add/", grid_form(code="320507105201003"))
    assert response.status_code == 200
    assert "须以所属村/社区代码" in response.content.decode()
    response = admin_client.post(
        "/admin/territory/grid/add/", grid_form(new_geometry='{"type": "Point", "coordinates": [1, 2]}')
    )
    assert response.status_code == 200
    assert "Polygon" in response.content.decode()
    assert not Grid.objects.filter(code__in=["320507105201003", "320507003201003"]).exists()
    assert not AuditEvent.objects.filter(action__startswith="territory.").exists()


def test_admin_deletes_a_grid_through_the_action(admin_client: Client) -> None:
    response = admin_client.post("/admin/territory/grid/320507003201002/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Grid.objects.filter(code="320507003201002").exists()
    assert AuditEvent.objects.filter(action="territory.grid.deleted", subject_id="320507003201002").exists()


def test_admin_zone_save_and_delete(admin_client: Client) -> None:
    Division.objects.create(
        code="320507003202", name="第二村", level=Division.Level.VILLAGE, parent_id="320507003"
    )
    data = {
        "code": "32050700301",
        "name": "黄桥街道第一片区",
        "town": "320507003",
        "villages": ["320507003201"],
    }
    # One village is under the squad-area minimum (2–6): refused, naming the rule.
    response = admin_client.post("/admin/territory/enforcementzone/add/", data)
    assert response.status_code == 200 and "2–6" in response.content.decode()
    data["villages"] = ["320507003201", "320507003202"]
    assert admin_client.post("/admin/territory/enforcementzone/add/", data).status_code == 302
    zone = EnforcementZone.objects.get(code="32050700301")
    assert sorted(v.code for v in zone.villages.all()) == ["320507003201", "320507003202"]
    assert AuditEvent.objects.filter(action="territory.zone.created").count() == 1
    # A village of another town is refused, naming the field.
    bad = {"code": "32050700302", "name": "x", "town": "320507003", "villages": ["320507105201"]}
    response = admin_client.post("/admin/territory/enforcementzone/add/", bad)
    assert response.status_code == 200 and "不属于" in response.content.decode()
    assert (
        admin_client.post("/admin/territory/enforcementzone/32050700301/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert AuditEvent.objects.filter(action="territory.zone.deleted").count() == 1
    assert Division.objects.filter(code="320507003201").exists()
