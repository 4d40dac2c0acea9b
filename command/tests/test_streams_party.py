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


def test_meetings_completeness_per_quarter_on_the_desk(party_world: dict[str, Any]) -> None:
    """三会一课 per quarter, from the party's own count: Q1 complete in 黄桥's branch, Q2 not yet; the
    desk's 党建引领 module shows both quarters; 渭塘's leader sees only 渭塘's branch."""
    import time_machine

    from party.models import Meeting
    from party.tests.test_meetings import hold

    for kind, day in (
        (Meeting.Kind.GENERAL_ASSEMBLY, 3),
        (Meeting.Kind.LECTURE, 4),
        (Meeting.Kind.COMMITTEE, 5),
        (Meeting.Kind.COMMITTEE, 6),
        (Meeting.Kind.COMMITTEE, 7),
    ):
        hold(party_world, "hq_branch", kind, day)
    in_q2 = party_fixtures.NOW + timedelta(days=40)  # 11 April
    q2, q1 = streams.meetings_by_quarter(HUANGQIAO, in_q2) or []
    assert (q2["label"], q2["current"], q2["branches"], q2["complete"], q2["share"]) == (
        "2026年第2季度",
        True,
        1,
        0,
        0.0,
    )
    assert (q1["label"], q1["current"], q1["branches"], q1["complete"], q1["share"]) == (
        "2026年第1季度",
        False,
        1,
        1,
        1.0,
    )
    # Mid-quarter, before the committee meetings: Q1 so far is incomplete.
    [so_far] = (
        streams.meetings_by_quarter(HUANGQIAO, party_fixtures.NOW + timedelta(days=4, hours=12), 1) or []
    )
    assert (so_far["complete"], so_far["share"]) == (0, 0.0)
    # Another town's branches are not 黄桥's.
    _q2, wt_q1 = streams.meetings_by_quarter(WEITANG, in_q2) or []
    assert (wt_q1["branches"], wt_q1["complete"]) == (1, 0)
    # A desk period ending in March shows Q1 (closed: not "so far") and the quarter before.
    q1_closed, q4 = streams.meetings_by_quarter(HUANGQIAO, in_q2, until=date(2026, 3, 31)) or []
    assert (q1_closed["label"], q1_closed["current"], q1_closed["complete"]) == ("2026年第1季度", False, 1)
    assert (q4["label"], q4["complete"]) == ("2025年第4季度", 0)

    client = Client()
    with time_machine.travel(in_q2, tick=False):
        client.force_login(party_world["users"]["hq_leader"])
        html = client.get("/command/").content.decode()
        assert html.count("data-meetings") == 1 and "三会一课完成情况" in html
        q1_row = html.split('data-quarter="2026-01-01"')[1].split("</tr>")[0]
        assert "<td>1</td><td>1</td><td>100%</td>" in q1_row
        client.force_login(party_world["users"]["wt_leader"])
        wt = client.get("/command/").content.decode()
        wt_row = wt.split('data-quarter="2026-01-01"')[1].split("</tr>")[0]
        assert "<td>1</td><td>0</td><td>0%</td>" in wt_row
