"""党建引领 figures of the desk against a party world worked out by hand (built through the party
actions: the party tests' fixtures), with 环比, drill-down lengths and scoping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from command import streams
from command.indicators import figures
from party import visits
from party.tests import conftest as party_fixtures
from party.tests import test_visits as visit_tests

pytestmark = pytest.mark.django_db
# The party tests' fixtures, reused.
party_world, planned, png = party_fixtures.party_world, visit_tests.planned, visit_tests.png
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
HUANGQIAO, WEITANG = "320507003", "320507105"


def test_party_figures_by_hand(planned: dict[str, Any]) -> None:
    first, _second = planned["plan"]  # two households, both due 31 March
    log = visits.VisitLog(
        lon=visit_tests.POINT[0],
        lat=visit_tests.POINT[1],
        note="入户走访。",
        photo=png(),
        problem="路灯不亮。",
        category_code="0402",
    )
    visits.do_log_visit(first, log, actor=planned["member_user"], now=party_fixtures.NOW + timedelta(days=3))
    found = streams.values(HUANGQIAO, MARCH, APRIL, today=date(2026, 3, 10))
    expected = {
        "party_organisations": 2,  # 党工委 and the village branch
        "party_members": 1,
        "party_visits_due": 2,
        "party_visits_done": 1,
        "party_visit_completion": 0.5,
        "party_visits_overdue": 1,  # not logged by the end of March
        "party_households_reached": 1,
        "party_problems_raised": 1,
        "party_problems_closed": 0,
        "party_problem_closure": 0.0,
        "party_meetings_held": 0,
        "party_one_shoulder": 0.0,  # grid 1's head is not the branch's secretary; grid 2 has no head
    }
    for code, value in expected.items():
        assert found[code] == value, code
        target = streams.drill_code(code)
        assert target is not None
        rows = streams.items(target, HUANGQIAO, MARCH, APRIL, today=date(2026, 3, 10))
        if isinstance(value, int) and code != "party_one_shoulder":
            assert len(rows) == value, code
    assert len(streams.items("party_one_shoulder", HUANGQIAO, MARCH, APRIL, today=date(2026, 3, 10))) == 2
    # Members' names are masked in the drill-down.
    [member_row] = streams.items("party_members", HUANGQIAO, MARCH, APRIL)
    assert member_row["title"].startswith("李") and "党员" not in member_row["title"]
    # 环比 over the desk's figures: nothing was registered the month before.
    desk = figures(HUANGQIAO, MARCH, APRIL)
    assert desk["party_organisations"]["previous"] == 0 and desk["party_organisations"]["mom"] is None
    assert desk["party_visit_completion"]["value"] == 0.5
    # The items page lists the overdue visit (a due day, shown without a time) for the town leader.
    client = Client()
    client.force_login(planned["users"]["hq_leader"])
    page = client.get(
        "/command/items/", {"indicator": "party_visits_overdue", "from": "2026-03-01", "to": "2026-03-31"}
    )
    html = page.content.decode()
    assert page.status_code == 200 and html.count("data-item-row") == 1 and "2026-03-31" in html
    # The outsider from another town gets 404 for 黄桥's unit.
    client.force_login(planned["users"]["wt_leader"])
    refused = client.get(
        "/command/items/", {"indicator": "party_members", "level": "town", "code": HUANGQIAO}
    )
    assert refused.status_code == 404
    # The other town: its own committee and branch, none of 黄桥's members or visits.
    other = streams.values(WEITANG, MARCH, APRIL, today=date(2026, 3, 10))
    assert (
        other["party_organisations"] == 2 and other["party_members"] == 0 and other["party_visits_due"] == 0
    )
