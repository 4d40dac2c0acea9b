"""GET /api/v1/command/map/grids.geojson (grids coloured by an indicator) and heat.geojson (where events
were reported): values against the planted week, scoped by jurisdiction or screen token."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from command import map_layers
from command.tokens import do_issue_screen_token
from grid.models import GridEvent
from grid.tests.test_figures import HUANGQIAO, Scenario

pytestmark = pytest.mark.django_db
GRIDS, HEAT = "/api/v1/command/map/grids.geojson", "/api/v1/command/map/heat.geojson"
WEEK = {"from": "2026-03-02", "to": "2026-03-08"}
FILED = ("E1", "E2", "E3", "E4", "E5")


def get(user: User | None, url: str, key: str = "", **params: str) -> Any:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    if key:
        api.credentials(HTTP_AUTHORIZATION=f"Screen {key}")
    return api.get(url, params)


@pytest.fixture
def outsider(personas: dict[str, User]) -> User:
    unit = OrgUnit.objects.get(code="320507105201-vc")
    return make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")


def test_grids_coloured_by_filed(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    s = week()
    response = get(personas["hq_leader"], GRIDS, indicator="filed", level="town", code=HUANGQIAO, **WEEK)
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["indicator"]["code"] == "filed" and data["connected"] is True
    values = {f["properties"]["code"]: f["properties"]["value"] for f in data["features"]}
    expected = Counter(s.events[name].grid_id for name in FILED)
    assert values == {
        "320507003201001": expected["320507003201001"],
        "320507003201002": expected["320507003201002"],
    }
    assert sum(values.values()) == 5
    assert all(f["geometry"]["type"] == "Polygon" for f in data["features"])
    score = get(personas["hq_leader"], GRIDS, level="town", code=HUANGQIAO, **WEEK).json()
    assert score["indicator"]["code"] == "score"
    for f in score["features"]:
        p = f["properties"]
        assert p["value"] is None or 0 <= p["value"] <= 100
        assert "grade" in p


def test_grids_scoped_and_bad_input(
    week: Callable[[], Scenario], personas: dict[str, User], outsider: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    week()
    district = get(personas["dispatcher"], GRIDS, indicator="filed", level="district", code="320507", **WEEK)
    assert len(district.json()["features"]) == 4 and district.json()["coloured"] is True
    monkeypatch.setattr(map_layers, "MAX_COLOURED_GRIDS", 3)  # a district of many grids: outlines only
    outlines = get(personas["dispatcher"], GRIDS, indicator="filed", level="district", code="320507").json()
    assert outlines["coloured"] is False and len(outlines["features"]) == 4
    assert all(f["properties"]["value"] is None for f in outlines["features"])
    own = get(outsider, GRIDS, indicator="filed", **WEEK).json()["features"]
    assert {f["properties"]["code"][:9] for f in own} == {"320507105"}
    assert all(f["properties"]["value"] == 0 for f in own)  # 渭塘 had one report (W1), never filed
    assert get(outsider, GRIDS, level="town", code=HUANGQIAO).status_code == 404
    assert get(personas["hq_grid"], GRIDS).status_code == 403
    assert get(None, GRIDS).status_code in (401, 403)
    for indicator in ("source_share", "top_categories", "nope"):
        bad = get(personas["hq_leader"], GRIDS, indicator=indicator)
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "indicator"
    key = do_issue_screen_token(
        name="大厅",
        territory_code=HUANGQIAO,
        expires_at=None,
        actor=personas["hq_leader"],
        now=timezone.now(),
    )[1]
    by_token = get(None, GRIDS, key=key, indicator="filed", **WEEK).json()["features"]
    assert {f["properties"]["code"][:9] for f in by_token} == {HUANGQIAO}
    assert get(None, GRIDS, key=key, level="town", code="320507105").status_code == 404


def test_heat_merges_nearby_reports(
    week: Callable[[], Scenario], personas: dict[str, User], outsider: User
) -> None:
    s = week()
    GridEvent.objects.filter(pk=s.events["E1"].pk).update(lon=120.55512, lat=31.40049)
    GridEvent.objects.filter(pk=s.events["E3"].pk).update(lon=120.55538, lat=31.40021)  # ~30 m away
    GridEvent.objects.filter(pk=s.events["E2"].pk).update(lon=120.5651, lat=31.4051)
    data = get(personas["hq_leader"], HEAT, **WEEK).json()
    points = {tuple(f["geometry"]["coordinates"]): f["properties"]["weight"] for f in data["features"]}
    assert points == {(120.555, 31.4): 2, (120.565, 31.405): 1}
    assert (
        get(personas["hq_leader"], HEAT, **{"from": "2026-03-09", "to": "2026-03-10"}).json()["features"]
        == []
    )
    assert get(outsider, HEAT, **WEEK).json()["features"] == []
    assert get(outsider, HEAT, level="town", code=HUANGQIAO).status_code == 404
    bad = get(personas["hq_leader"], HEAT, **{"from": "2026-13-01"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "from"


def test_grid_values_equal_each_grids_own_counts_in_grouped_reads(
    week: Callable[[], Scenario], django_assert_max_num_queries: Any
) -> None:
    """The choropleth reads every grid's counts grouped (a few queries, however many grids), and each
    grid's value is what `counts` of that grid alone gives."""
    from datetime import date

    from command import indicators as ind

    week()
    first, end = date(2026, 3, 2), date(2026, 3, 9)
    for indicator in ("filed", "closed", "closure_rate", "score"):
        with django_assert_max_num_queries(14):  # per grid it was four more each
            features, coloured = map_layers.grid_values("320507", indicator, first, end)
        assert coloured and len(features) == 4
        for f in features:
            own = ind.values_of(ind.counts(f["properties"]["code"], first, end))
            assert f["properties"]["value"] == own[indicator], (indicator, f["properties"]["code"])
