"""The command map's key places (/api/v1/command/map/places.geojson): each 重点场所 at its address (else at
its grid's place), coloured by its inspections — green when checked in during the current period of its
inspection frequency, yellow when only in the previous one, red when not then either or never; the roles
refused, the outsider from another town, bad input, and nothing of the owner shown.

Planted in 黄桥's grid 1 on Monday 2 March 2026 (periods counted from Monday 2024-01-01, so a weekly
place's periods start on Mondays): 春申农贸市场 (weekly, at 春申路8号), 春申五金厂's workshop (monthly,
the factory's own place: no address of its own, so at the grid's place), and in 渭塘 渭塘加油站 (daily,
no address: at its grid's place). The grid worker checks in at the market on Tuesday 3 March; the
workshop is never inspected."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from grid.models import PatrolItem
from grid.patrols.actions import do_check_in, do_start_patrol
from grid.patrols.key_places import do_issue_key_place_patrol_items
from registry import actions as registry
from registry.testing import synthetic_uscc
from territory.models import Grid

pytestmark = pytest.mark.django_db

HQ_GRID, WT_GRID = "320507003201001", "320507105201001"
HUANGQIAO = "320507003"
ISSUED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Mon 2 Mar 09:00 in Suzhou
CHECKED = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # Tue 3 Mar 10:00
WEDNESDAY = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # the same weekly period
NEXT_WEEK = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # Mon 9 Mar: a new period, the last one inspected
WEEK_AFTER = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # Mon 16 Mar: the previous period missed too
PLACES = "/api/v1/command/map/places.geojson"
OWNER, OWNER_PHONE = "王五", "13700001234"


@pytest.fixture
def planted(personas: dict[str, User]) -> dict[str, Any]:
    system = personas["system"]
    with time_machine.travel(ISSUED, tick=False):
        address = registry.do_create_address(
            territory_code=HQ_GRID,
            street="春申路",
            door_number="8",
            lon=120.558,
            lat=31.408,
            actor=system,
            now=ISSUED,
        )
        factory = registry.do_register_entity(
            uscc_code=synthetic_uscc("320507", 41),
            name="春申五金厂",
            legal_representative=OWNER,
            legal_representative_phone=OWNER_PHONE,
            industry_code="C3311",
            size="small",
            territory_code=HQ_GRID,
            actor=system,
            now=ISSUED,
        )
        market = registry.do_register_key_place(
            name="春申农贸市场",
            kind="crowded",
            territory_code=HQ_GRID,
            inspection_days=7,
            address=address,
            actor=system,
            now=ISSUED,
        )
        workshop = registry.do_register_key_place(
            name="春申五金厂车间",
            kind="nine_small",
            territory_code=HQ_GRID,
            inspection_days=30,
            entity=factory,
            actor=system,
            now=ISSUED,
        )
        station = registry.do_register_key_place(
            name="渭塘加油站",
            kind="hazardous_chemicals",
            territory_code=WT_GRID,
            inspection_days=1,
            actor=system,
            now=ISSUED,
        )
        do_issue_key_place_patrol_items(actor=system, now=ISSUED)
    with time_machine.travel(CHECKED, tick=False):
        patrol = do_start_patrol(Grid.objects.get(code=HQ_GRID), actor=personas["hq_grid"], now=CHECKED)
        do_check_in(
            patrol,
            PatrolItem.objects.get(key_place=market),
            actor=personas["hq_grid"],
            now=CHECKED,
            lon=120.558,
            lat=31.408,
        )
    return {**personas, "market": market, "workshop": workshop, "station": station, "factory": factory}


def get(user: User | None, *, at: datetime = WEDNESDAY, **params: str) -> Any:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    with time_machine.travel(at, tick=False):
        return api.get(PLACES, params)


def by_name(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return {f["properties"]["name"]: f for f in response.json()["features"]}


def test_each_place_at_its_address_or_its_grid_with_its_inspections(planted: dict[str, Any]) -> None:
    features = by_name(get(planted["hq_leader"]))
    assert set(features) == {"春申农贸市场", "春申五金厂车间"}  # 渭塘's station is not 黄桥's
    market = features["春申农贸市场"]
    assert market["geometry"]["coordinates"] == [120.558, 31.408]
    assert market["properties"] == {
        "id": planted["market"].pk,
        "layer": "place",
        "name": "春申农贸市场",
        "kind": "crowded",
        "kind_title": "人员密集场所",
        "inspection_days": 7,
        "status": "inspected",
        "light": "green",
        "period_start": "2026-03-02",
        "last_checked": "2026-03-03",
        "place": "黄桥测试村第1网格",
        "approximate": False,
        "url": "",
    }
    # The workshop has no address (nor has its factory): it stands inside its grid (the square
    # 120.55–120.56 × 31.40–31.41), and links to the factory's page (一企一档).
    workshop = features["春申五金厂车间"]
    lon, lat = workshop["geometry"]["coordinates"]
    assert 120.55 < lon < 120.56 and 31.40 < lat < 31.41
    props = workshop["properties"]
    assert props["approximate"] is True and props["url"] == f"/registry/entities/{planted['factory'].pk}/"
    assert (props["status"], props["light"], props["last_checked"]) == ("missed", "red", None)
    assert props["period_start"] == "2026-02-19"  # 2024-01-01 + 26 × 30 days


def test_lights_move_with_the_periods(planted: dict[str, Any]) -> None:
    def market_at(at: datetime) -> tuple[str, str]:
        props = by_name(get(planted["dispatcher"], at=at))["春申农贸市场"]["properties"]
        return props["status"], props["light"]

    assert market_at(ISSUED) == ("missed", "red")  # before the first check-in: never inspected
    assert market_at(WEDNESDAY) == ("inspected", "green")
    assert market_at(NEXT_WEEK) == ("due", "yellow")  # inspected last week, not yet this week
    assert market_at(WEEK_AFTER) == ("missed", "red")  # not last week either
    reds = get(planted["dispatcher"], at=WEEK_AFTER, light="red", level="town", code=HUANGQIAO).json()[
        "features"
    ]
    assert sorted(f["properties"]["name"] for f in reds) == ["春申五金厂车间", "春申农贸市场"]


def test_nothing_of_the_owner(planted: dict[str, Any]) -> None:
    text = json.dumps(get(planted["dispatcher"]).json(), ensure_ascii=False)
    for secret in (OWNER, OWNER_PHONE, planted["factory"].uscc):
        assert secret not in text


def test_the_outsider_other_roles_and_the_screen_token(planted: dict[str, Any]) -> None:
    from accounts.models import OrgUnit, Role
    from accounts.testing import make_person

    outsider = make_person(
        "wt_leader",
        unit=OrgUnit.objects.get(code="320507105201-vc"),
        role=Role.LEADER,
        territory_code="320507105",
    )
    refused = get(outsider, level="town", code=HUANGQIAO)
    assert refused.status_code == 404 and refused.json()["errors"][0]["code"] == "not_found"
    assert list(by_name(get(outsider))) == ["渭塘加油站"]  # its own town's, none of 黄桥's
    for who in ("hq_grid", "hq_agency", "hq_officer"):
        response = get(planted[who])
        assert response.status_code == 403 and response.json()["errors"][0]["code"] == "not_allowed"
    assert get(None).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"light": "blue"}, "light"),
        ({"level": "county", "code": "1"}, "level"),
        ({"level": "town", "code": "12"}, "code"),
    ],
)
def test_bad_input_names_the_field(planted: dict[str, Any], params: dict[str, str], field: str) -> None:
    response = get(planted["hq_leader"], at=WEDNESDAY, **params)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == field


def test_the_map_page_offers_the_layer(planted: dict[str, Any]) -> None:
    client = Client()
    client.force_login(planted["dispatcher"])
    html = client.get("/command/map/").content.decode()
    assert 'id="cmd-map-places"' in html and f'data-places="{PLACES}"' in html
    config = json.loads(html.split('id="cmd-map-config" type="application/json">')[1].split("</script>")[0])
    assert config["labels"]["places"]["due"] == "本期待巡查"
