"""基础信息 (一标三实) figures of the desk against a registry world counted by hand (built through the
registry actions and a change request reviewed on the engine): the counts and their drill-down lengths,
today's-state figures in a past period, the outsider town, masked drill-down rows (no name, ID or phone
in clear), the desk's group under 网格治理 in both languages, its 未接入 notice, and a capped drill-down."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from command import streams
from grid.registry_changes import (
    MemberProposal,
    do_propose_household,
    do_propose_record_change,
    do_review_change,
    do_review_record_change,
)
from registry import actions
from registry.models import Person
from registry.testing import synthetic_id_number, synthetic_uscc
from registry.tests import conftest as registry_fixtures
from registry.tests.conftest import HQ_GRID, NOW, WT_GRID, register

pytestmark = pytest.mark.django_db
# The registry tests' fixtures, reused: 黄桥's building, rented flat, household of two, shop and place.
people, world = registry_fixtures.people, registry_fixtures.world
TODAY = date(2026, 3, 10)
MARCH, END = date(2026, 3, 1), date(2026, 3, 17)
HUANGQIAO, WEITANG = "320507003", "320507105"
PERIOD = {"level": "town", "code": HUANGQIAO, "from": "2026-03-01", "to": "2026-03-16"}
CHANGE_NUMBERS = (
    synthetic_id_number("320507", date(1982, 6, 1), 31),
    synthetic_id_number("320507", date(1982, 6, 1), 32),
)


@pytest.fixture
def registries(people: dict[str, User], world: dict[str, Any], reference: Any) -> dict[str, Any]:
    """On top of `world`: a migrant, an empty flat, one person in care and one in a special group, a
    household proposed by the grid worker and approved by the village on 2 March (two more people), one
    proposal still waiting; a change of the head's address approved, the shop's name still waiting, and
    the head's phone changed at once (a trivial field: never reviewed); in 渭塘 a person and an entity."""
    steward = people["hq_steward"]
    migrant = register(steward, 13, name="李流动", kind=Person.Kind.MIGRANT, phone="13900001313")
    actions.do_register_house(
        building=world["building"], unit=1, room="102", rented=False, actor=steward, now=NOW
    )
    actions.do_set_sensitive_record(
        world["head"], care_tags=["独居老人"], special_groups=[], actor=steward, now=NOW
    )
    actions.do_set_sensitive_record(
        migrant, care_tags=[], special_groups=["刑满释放"], actor=steward, now=NOW
    )
    approved = do_propose_household(
        grid_code=HQ_GRID,
        number="HQ-200",
        members=[
            MemberProposal("王建国", CHANGE_NUMBERS[0], "head", phone="13912340031"),
            MemberProposal("王小红", CHANGE_NUMBERS[1], "child"),
        ],
        actor=people["hq_grid"],
        now=NOW,
    )
    do_review_change(approved, "approve", actor=people["hq_head"], now=NOW)
    do_propose_household(
        grid_code=HQ_GRID,
        number="HQ-201",
        members=[MemberProposal("赵等待", synthetic_id_number("320507", date(1990, 1, 1), 41), "head")],
        actor=people["hq_grid"],
        now=NOW,
    )
    address = do_propose_record_change(
        "person", world["head"], {"address_detail": "春申花园3幢201室"}, actor=people["hq_grid"], now=NOW
    )
    assert address.pending is not None
    do_review_record_change(address.pending, "approve", actor=people["hq_head"], now=NOW)
    do_propose_record_change(
        "entity", world["entity"], {"name": "黄桥新名商店"}, actor=people["hq_grid"], now=NOW
    )
    do_propose_record_change(
        "person", world["head"], {"phone": "13900009999"}, actor=people["hq_grid"], now=NOW
    )
    wt = people["wt_steward"]
    register(wt, 21, grid=WT_GRID, name="渭塘人")
    actions.do_register_entity(
        uscc_code=synthetic_uscc("320507", 99),
        name="渭塘五金厂",
        legal_representative="钱老板",
        industry_code="C3311",
        size="small",
        territory_code=WT_GRID,
        actor=wt,
        now=NOW,
    )
    return {**world, "migrant": migrant}


EXPECTED = {
    "registry_population": 5,  # 陈大文, 陈小文, 李流动, and 王建国 and 王小红 of the approved household
    "registry_registered": 4,
    "registry_migrant": 1,
    "registry_households": 2,  # HQ-11 and HQ-200 (HQ-201 still waits for review)
    "registry_houses": 2,
    "registry_rented": 1,
    "registry_entities": 1,
    "registry_key_places": 1,
    "registry_care_people": 1,
    "registry_special_groups": 1,
    "registry_changes_approved": 2,  # the household HQ-200 and the head's address
}
NUMBER_ONLY = ("registry_care_people", "registry_special_groups")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_registry_figures_by_hand(registries: dict[str, Any]) -> None:
    found = streams.values(HUANGQIAO, MARCH, END, today=TODAY)
    for code, value in EXPECTED.items():
        assert found[code] == value, code
        if code in NUMBER_ONLY:
            assert code not in streams.DRILLABLE and streams.drill_code(code) is None, code
            continue
        assert code in streams.DRILLABLE, code
        assert len(streams.items(code, HUANGQIAO, MARCH, END, today=TODAY)) == value, code
    # A village and a grid count what lies under them.
    assert streams.values("320507003201", MARCH, END, today=TODAY)["registry_population"] == 5
    # A period that ended before today: the registries hold today's state, which says nothing of it;
    # changes approved are dated, so they are counted (none in February).
    february = streams.values(HUANGQIAO, date(2026, 2, 1), MARCH, today=TODAY)
    assert february["registry_population"] is None and february["registry_care_people"] is None
    assert february["registry_changes_approved"] == 0
    assert streams.items("registry_population", HUANGQIAO, date(2026, 2, 1), MARCH, today=TODAY) == []


def test_the_outsider_town_counts_only_its_own(registries: dict[str, Any]) -> None:
    other = streams.values(WEITANG, MARCH, END, today=TODAY)
    assert other["registry_population"] == other["registry_entities"] == 1
    assert (
        other["registry_households"]
        == other["registry_changes_approved"]
        == other["registry_care_people"]
        == 0
    )
    rows = streams.items("registry_population", WEITANG, MARCH, END, today=TODAY)
    assert [row["title"] for row in rows] == ["渭**"]
    # 渭塘's leader may not read 黄桥's figures or the items behind them.
    unit = OrgUnit.objects.get(code="320507105201-vc")
    outsider = make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code=WEITANG)
    with time_machine.travel(NOW, tick=False):
        client = client_for(outsider)
        assert client.get("/command/", PERIOD).status_code == 404
        assert (
            client.get("/command/items/", {**PERIOD, "indicator": "registry_population"}).status_code == 404
        )
        html = client.get("/command/").content.decode()
    assert 'data-figure="registry_population"' in html and "渭塘人" not in html


def test_drill_down_shows_masked_names_only(registries: dict[str, Any], personas: dict[str, User]) -> None:
    clear_names = ("陈大文", "陈小文", "李流动", "王建国", "王小红")
    with time_machine.travel(NOW, tick=False):
        html = (
            client_for(personas["hq_leader"])
            .get("/command/items/", {**PERIOD, "indicator": "registry_population"})
            .content.decode()
        )
        api = APIClient()
        api.force_authenticate(personas["hq_leader"])
        body = api.get(
            "/api/v1/command/figures/items/", {**PERIOD, "indicator": "registry_population"}
        ).json()
        changes = api.get(
            "/api/v1/command/figures/items/", {**PERIOD, "indicator": "registry_changes_approved"}
        ).json()
    assert html.count("data-item-row") == 5 and "陈**" in html and "李**" in html
    assert body["count"] == len(body["items"]) == 5 and body["truncated"] is False
    assert sorted(row["title"] for row in body["items"]) == ["李**", "王**", "王**", "陈**", "陈**"]
    numbers = [*CHANGE_NUMBERS, synthetic_id_number("320507", date(1975, 4, 1), 11), "13912345678"]
    for text in (html, str(body), str(changes)):
        for secret in (*clear_names, *numbers):
            assert secret not in text
    household, address = sorted(changes["items"], key=lambda row: row["id"])
    assert household["title"] == "新增户 HQ-200：户主 王**，共 2 人" and household["state"] == "已审核生效"
    assert household["receipt_number"] == "新增户" and address["receipt_number"] == "基础信息变更"
    assert address["title"] == "人员信息变更：陈**（详细住址）" and address["state"] == "已审核生效"
    assert "春申花园3幢201室" not in str(changes)
    # The care and special-group counts are numbers only: no drill-down at all.
    with time_machine.travel(NOW, tick=False):
        refused = client_for(personas["hq_leader"]).get(
            "/command/items/", {**PERIOD, "indicator": "registry_special_groups"}
        )
    assert refused.status_code == 400


def test_a_long_drill_down_is_capped_and_says_so(
    registries: dict[str, Any], personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "DRILL_LIMIT", 3)
    with time_machine.travel(NOW, tick=False):
        found = streams.drill("registry_population", HUANGQIAO, MARCH, END, limit=2)
        assert found.total == 5 and len(found.rows) == 2 and found.truncated
        assert not streams.drill("registry_population", HUANGQIAO, MARCH, END, limit=5).truncated
        assert streams.drill("filed", HUANGQIAO, MARCH, END, limit=2).total == 0
        html = (
            client_for(personas["hq_leader"])
            .get("/command/items/", {**PERIOD, "indicator": "registry_population"})
            .content.decode()
        )
    assert html.count("data-item-row") == 3 and "data-truncated" in html
    assert "共 5 条，只列出前 3 条" in html and "data-items-count>5<" in html


def test_desk_shows_basic_information_under_grid_governance(
    registries: dict[str, Any], personas: dict[str, User], settings: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        leader = client_for(personas["hq_leader"])
        html = leader.get("/command/", PERIOD).content.decode()
        grid = html[html.index('data-module="grid"') :]
        grid = grid[: grid.index("</section>")]
        assert 'data-group="registry"' in grid and "基础信息（一标三实）" in grid
        for code in EXPECTED:
            assert f'data-figure="{code}"' in grid, code
        tile = grid[grid.index('data-figure="registry_population"') :]
        assert '<span class="cmd-value">5</span>' in tile[:400]
        assert "indicator=registry_population" in grid and "indicator=registry_care_people" not in grid
        assert "未接入" not in html
        settings.COMMAND_EDITION = "district"
        district = client_for(personas["dispatcher"]).get("/command/").content.decode()
        assert 'data-group="registry"' in district and 'data-figure="registry_changes_approved"' in district
        settings.COMMAND_EDITION = "town"
        leader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = leader.get("/command/", PERIOD).content.decode()
    assert "Basic information (registries)" in english and "Actual population" in english
    assert "People in care" in english and "基础信息" not in english


def test_a_group_whose_source_is_not_connected_says_so(
    registries: dict[str, Any], personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    connected = streams.connected
    monkeypatch.setattr(streams, "connected", lambda source: source != "registry" and connected(source))
    with time_machine.travel(NOW, tick=False):
        html = client_for(personas["hq_leader"]).get("/command/", PERIOD).content.decode()
    group = html[html.index('data-group="registry"') :]
    group = group[: group.index("</div>")]
    assert "data-not-connected" in group and "基础信息库（一标三实）" in group
    assert 'data-figure="registry_population"' not in html and html.count("data-not-connected") == 1
