"""The dispatcher converts a grid event into a case; the event waits in 转执法办理 and closes (system
actor) when the case closes, or goes back to the dispatcher when no case is filed."""

from __future__ import annotations

from typing import Any

import pytest

from enforcement.actions import do_add_record, do_case_action
from enforcement.tests.conftest import client_for
from enforcement.tests.test_case_flow import at
from grid.models import Category, GridEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(people: dict[str, Any]) -> GridEvent:
    from grid.events.report import do_report_event
    from grid.standards.actions import do_seed_reference

    do_seed_reference(actor=people["system"], now=at(3, 1))
    category = (
        Category.objects.filter(kind="event", parent__isnull=False, active=True).order_by("code").first()
    )
    assert category is not None
    return do_report_event(
        actor=people["hq_grid"],
        now=at(3, 2, 9),
        channel="patrol",
        category_code=category.code,
        title="村口违法搭建",
        description="村口有人搭建彩钢棚，已责令停止未果。",
        grid_code="320507003201001",
    )


CONVERT = {
    "matter": "CG-005",
    "party_kind": "natural",
    "party_name": "王五",
    "officers": ["hq_officer", "hq_officer2"],
}


def test_convert_and_close(people: dict[str, Any], event: GridEvent) -> None:
    url = f"/api/v1/enforcement/grid-events/{event.pk}/convert/"
    assert client_for(people["hq_officer"]).post(url, CONVERT, format="json").status_code == 403
    assert client_for(people["wt_grid"]).post(url, CONVERT, format="json").status_code == 404
    bad = client_for(people["dispatcher"]).post(url, {**CONVERT, "officers": []}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "officers"
    response = client_for(people["dispatcher"]).post(url, CONVERT, format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["source"] == "grid_event"
    assert case["grid_event"] == event.receipt_number
    assert case["state"] == "verifying"
    event.refresh_from_db()
    assert event.work_item is not None and event.work_item.state == "enforcement"
    again = client_for(people["dispatcher"]).post(url, CONVERT, format="json")
    assert again.status_code == 409

    from enforcement.models import Case

    row = Case.objects.get(pk=case["id"])
    officer, leader = people["hq_officer"], people["hq_squad_leader"]
    row = do_case_action(row, "propose_filing", actor=officer, now=at(3, 2, 11))
    row = do_case_action(row, "approve_filing", actor=leader, now=at(3, 2, 11))
    # A closure path without a penalty: 首违不罚 after the notice.
    do_add_record(row, kind="transcript", title="询问笔录", actor=officer, now=at(3, 3))
    row = do_case_action(row, "submit_report", actor=officer, now=at(3, 3), inputs={"proposed_fine": "20000"})
    row = do_case_action(row, "issue_notice", actor=officer, now=at(3, 3))
    row = do_case_action(row, "end_notice", actor=officer, now=at(3, 4), inputs={"waived": True})
    row = do_case_action(
        row, "decide_no_penalty", actor=leader, now=at(3, 5), reason="当事人已自行拆除，首违不罚"
    )
    event.refresh_from_db()
    assert event.work_item is not None and event.work_item.state == "enforcement"
    do_case_action(row, "close", actor=leader, now=at(3, 6))
    event.refresh_from_db()
    assert event.work_item is not None
    assert event.work_item.state == "closed"
    last = event.work_item.transitions.order_by("-id").first()
    assert last is not None and last.action == "enforcement_closed" and last.actor.is_system


def test_not_filed_returns_the_event(people: dict[str, Any], event: GridEvent) -> None:
    response = client_for(people["dispatcher"]).post(
        f"/api/v1/enforcement/grid-events/{event.pk}/convert/", CONVERT, format="json"
    )
    from enforcement.models import Case

    row = Case.objects.get(pk=response.json()["id"])
    do_case_action(row, "drop_lead", actor=people["hq_officer"], now=at(3, 3), reason="经核查不属于违法建设")
    event.refresh_from_db()
    assert event.work_item is not None and event.work_item.state == "filed"
