"""GET /api/v1/command/map/items.geojson: open items with a location, coloured by traffic light."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from grid.models import GridEvent
from grid.tests.test_figures import HUANGQIAO, Scenario
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
URL = "/api/v1/command/map/items.geojson"


def get(user: User, **params: str) -> Any:
    api = APIClient()
    api.force_authenticate(user)
    return api.get(URL, params)


@pytest.fixture
def placed(week: Callable[[], Scenario]) -> Scenario:
    """E4 (parked, open) and E2 (closed) placed on the map; E4 marked overdue."""
    s = week()
    GridEvent.objects.filter(pk__in=[s.events["E4"].pk, s.events["E2"].pk]).update(lon=120.55, lat=31.45)
    WorkItem.objects.filter(pk=s.events["E4"].work_item_id or 0).update(overdue_at=timezone.now())
    return s


def test_open_items_with_a_location_by_light(placed: Scenario, personas: dict[str, User]) -> None:
    response = get(personas["hq_leader"], level="town", code=HUANGQIAO)
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    features = response.json()["features"]
    # E2 is closed; E1, E3, E5… have no location: only E4, red (overdue).
    assert [f["properties"]["receipt_number"] for f in features] == [placed.events["E4"].receipt_number]
    assert features[0]["properties"]["light"] == "red"
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [120.55, 31.45]}
    green = get(personas["hq_leader"], light="green").json()
    assert green["features"] == []


def test_refused_outsider_and_bad_input(placed: Scenario, personas: dict[str, User]) -> None:
    assert get(personas["hq_grid"]).status_code == 403
    unit = OrgUnit.objects.get(code="320507105201-vc")
    outsider = make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")
    assert get(outsider, level="town", code=HUANGQIAO).status_code == 404
    assert get(outsider).json()["features"] == []
    bad = get(personas["hq_leader"], light="blue")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "light"
