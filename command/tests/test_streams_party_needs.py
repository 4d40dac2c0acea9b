"""代办需求逾期数 on the desk's 党建引领 module: the needs the sweeper reminded in the period (the
escalation rules of party_service_need: party/tests/test_need_escalation.py), each drilling down to its
need's page; scoped to the town, nothing for a need taken up in time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from command import streams
from party.tests.conftest import party_world  # noqa: F401 (fixture)
from party.tests.test_need_escalation import late  # noqa: F401 (fixture)
from party.tests.test_visits import planned  # noqa: F401 (fixture)
from workflow.models import WorkItem
from workflow.sweeper import sweep

pytestmark = pytest.mark.django_db
HUANGQIAO, WEITANG = "320507003", "320507105"
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def test_the_desk_counts_the_late_needs_and_drills_down_to_them(late: dict[str, Any]) -> None:  # noqa: F811
    need = late["need"]
    due = WorkItem.objects.get(pk=need.work_item_id).step_due_at
    assert due is not None
    sweep(now=due)
    found = streams.values(HUANGQIAO, MARCH, APRIL, today=date(2026, 3, 20))
    assert found["party_needs_late"] == 1
    assert (
        streams.values(HUANGQIAO, date(2026, 2, 1), MARCH, today=date(2026, 3, 20))["party_needs_late"] == 0
    )
    assert streams.values(WEITANG, MARCH, APRIL, today=date(2026, 3, 20))["party_needs_late"] == 0
    [row] = streams.items("party_needs_late", HUANGQIAO, MARCH, APRIL, today=date(2026, 3, 20))
    assert (row["id"], row["title"], row["state"], row["overdue"]) == (
        need.pk,
        "代办需求：户 HQ-0",
        "逾期（已提醒党员和网格员）",
        True,
    )
    assert row["url"] == f"/party/needs/{need.pk}/"
    # On the desk's 党建引领 module and its items page, for the town leader; 404 for the outsider.
    client = Client()
    client.force_login(late["users"]["hq_leader"])
    with time_machine.travel(due + timedelta(days=1), tick=False):
        desk = client.get("/command/").content.decode()
        page = client.get(
            "/command/items/", {"indicator": "party_needs_late", "from": "2026-03-01", "to": "2026-03-31"}
        )
        assert "代办需求逾期数" in desk
        html = page.content.decode()
        assert page.status_code == 200 and html.count("data-item-row") == 1
        assert f"/party/needs/{need.pk}/" in html
        client.force_login(late["users"]["wt_leader"])
        refused = client.get(
            "/command/items/", {"indicator": "party_needs_late", "level": "town", "code": HUANGQIAO}
        )
    assert refused.status_code == 404
