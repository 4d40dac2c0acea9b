"""The desk's 党建引领 breakdown: organisations by kind (action branches by type) and members per grid —
per town at the district, each town opening its own desk — scoped to the leader's unit, each summing
to its tile; a grid's members drill down to the items page. Refused: roles without the desk (403), the
outsider's unit (404), bad levels and dates (400)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from command import streams
from command.indicators import figures
from party.tests import conftest as party_fixtures

pytestmark = pytest.mark.django_db
party_world = party_fixtures.party_world
HUANGQIAO, WEITANG = "320507003", "320507105"
HQ_GRID, HQ_GRID2 = party_fixtures.HQ_GRID, party_fixtures.HQ_GRID2
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
TODAY = party_fixtures.NOW + timedelta(days=8)  # Tuesday 10 March


@pytest.fixture
def members(party_world: dict[str, Any]) -> dict[str, Any]:
    """黄桥: a working committee, a village branch with an action branch (便民服务型), two members in grid 1
    (one probationary), none in grid 2. 渭塘: a committee and a branch, no members."""
    system = party_world["users"]["system"]
    party_fixtures.org(
        system,
        "黄桥便民服务行动支部",
        party_fixtures.K.ACTION_BRANCH,
        "320507003201",
        party_world["hq_branch"],
        action_type="convenience",
    )
    party_fixtures.enrol(party_world, 1)
    party_fixtures.enrol(party_world, 2, status="probationary")
    return party_world


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(user: User, url: str, data: dict[str, str] | None = None) -> Any:
    with time_machine.travel(TODAY, tick=False):
        return client_for(user).get(url, data or {})


def test_the_breakdown_sums_to_the_tiles(members: dict[str, Any]) -> None:
    found = streams.party_breakdown("town", HUANGQIAO, MARCH, APRIL)
    assert found is not None
    kinds = {row["kind"]: row["count"] for row in found["organisations"]}
    assert kinds == {
        "committee": 0,
        "working_committee": 1,
        "general_branch": 0,
        "branch": 1,
        "group": 0,
        "action_branch": 1,
        "functional_group": 0,
    }
    [action] = [row for row in found["organisations"] if row["kind"] == "action_branch"]
    assert {t["code"]: t["count"] for t in action["types"]} == {
        "industrial": 0,
        "convenience": 1,
        "governance": 0,
    }
    tiles = streams.values(HUANGQIAO, MARCH, APRIL, today=TODAY.date())
    assert sum(kinds.values()) == tiles["party_organisations"] == 3
    units = {row["code"]: (row["formal"], row["probationary"], row["members"]) for row in found["units"]}
    assert units == {HQ_GRID: (1, 1, 2), HQ_GRID2: (0, 0, 0)}
    assert (found["unit_level"], found["grids"], found["grids_without_members"]) == ("grid", 2, 1)
    assert found["members"] == tiles["party_members"] == 2
    # At the district: one row per town, the grids without members counted.
    district = streams.party_breakdown("district", "320507", MARCH, APRIL)
    assert district is not None and district["unit_level"] == "town"
    towns = {row["code"]: (row["members"], row["grids"], row["empty"]) for row in district["units"]}
    assert towns[HUANGQIAO] == (2, 2, 1) and towns[WEITANG] == (0, 2, 2)
    assert district["members"] == figures("320507", MARCH, APRIL)["party_members"]["value"]
    # A period that ended before anyone was registered counts nothing.
    before = streams.party_breakdown("town", HUANGQIAO, date(2026, 2, 1), MARCH)
    assert before is not None and before["members"] == 0
    assert sum(row["count"] for row in before["organisations"]) == 0


def test_the_leader_reads_it_on_the_desk_and_drills_into_a_grid(members: dict[str, Any]) -> None:
    leader = members["users"]["hq_leader"]
    html = get(leader, "/command/").content.decode()
    assert html.count("data-party-breakdown") == 1 and "党组织按类型：共 3 个" in html
    assert '<tr data-kind="action_branch"><td>行动支部</td><td>1</td></tr>' in html
    assert '<tr data-action-type="convenience"><td>　· 便民服务型</td><td>1</td></tr>' in html
    assert 'data-members-per-unit="grid"' in html and "其中 1 个网格尚无党员" in html
    row = html.split(f'data-unit="{HQ_GRID}"')[1].split("</tr>")[0]
    assert "<td>1</td><td>1</td>" in row
    link = row.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert f"indicator=party_members&level=grid&code={HQ_GRID}" in link
    drill = get(leader, link)
    assert drill.status_code == 200 and drill.content.decode().count("data-item-row") == 2
    assert f'data-unit="{HQ_GRID2}" class="cmd-gap"' in html
    # The district's dispatcher: per town, each opening the town's desk with its grids.
    dispatcher = members["users"]["dispatcher"]
    district = get(dispatcher, "/command/").content.decode()
    assert 'data-members-per-unit="town"' in district
    town_row = district.split(f'data-unit="{HUANGQIAO}"')[1].split("</tr>")[0]
    town_link = town_row.split('href="')[1].split('"')[0].replace("&amp;", "&")
    town = get(dispatcher, town_link).content.decode()
    assert f'data-unit="{HQ_GRID}"' in town and 'data-members-per-unit="grid"' in town


def test_who_may_not_read_it(members: dict[str, Any]) -> None:
    users = members["users"]
    # The outsider town's leader: 黄桥's unit and its grid drill-down are not found; the own desk has
    # 渭塘's grids only.
    outsider = users["wt_leader"]
    assert get(outsider, "/command/", {"level": "town", "code": HUANGQIAO}).status_code == 404
    drill = {"indicator": "party_members", "level": "grid", "code": HQ_GRID}
    assert get(outsider, "/command/items/", drill).status_code == 404
    own = get(outsider, "/command/").content.decode()
    assert f'data-unit="{HQ_GRID}"' not in own and 'data-unit="320507105201001"' in own
    # Roles without the desk: a grid worker, a village secretary, a member with a log-in only.
    member_user = User.objects.create_user(username="hq_member", password="x")
    for user in (users["hq_grid"], users["hq_sec"], member_user):
        assert get(user, "/command/").status_code == 403
    # Bad input: an unknown level, a malformed date, a period ending before it starts.
    leader = users["hq_leader"]
    for data in (
        {"level": "planet", "code": HUANGQIAO},
        {"from": "March"},
        {"from": "2026-03-10", "to": "2026-03-01"},
    ):
        response = get(leader, "/command/", data)
        assert response.status_code == 400 and "data-party-breakdown" not in response.content.decode()


def test_the_breakdown_reads_in_english(members: dict[str, Any]) -> None:
    from tests.test_english_staff_pages import data_names, untranslated

    client = client_for(members["users"]["hq_leader"])
    client.cookies["django_language"] = "en"
    with time_machine.travel(TODAY, tick=False):
        html = client.get("/command/").content.decode()
    part = html.split("data-party-breakdown")[1].split("</div>")[0]
    assert (
        "Party organisations by type: 3 in all" in part
        and "Action branch" in part
        and "Public convenience" in part
    )
    assert "Party members by grid: 2 members, 2 grids, 1 of them without a member yet" in part
    assert untranslated(part, data_names()) == []
