"""A late 代办需求 (issue 16): the engine's sweeper applies party_service_need's escalation rules — at the
request's limit (5 working days) `remind` tells the member and the grid's workers, 3 working days later
`escalate` tells the member's branch secretary and the village (the grid heads of the grid and village),
each once however often the sweeper runs — and the grid worker may still take it up. The desk's 党建引领
module counts the late needs of the period and drills down to them, scoped to the town."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from outbox.models import OutboxMessage
from party import actions, visits
from party.models import VisitNeed
from party.tests.conftest import NOW, enrol
from party.tests.test_visits import POINT, planned  # noqa: F401 (fixture)
from workflow.models import WorkItem
from workflow.sweeper import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(planned: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """A need raised on Monday 2 March; the branch's secretary is another member with a log-in."""
    system = planned["users"]["system"]
    secretary_user = User.objects.create_user(username="hq_branch_sec", password="x")
    secretary = enrol(planned, 2, user_id=secretary_user.pk)
    actions.do_set_secretary(planned["hq_branch"], secretary, actor=system, now=NOW)
    log = visits.VisitLog(lon=POINT[0], lat=POINT[1], note="入户走访。", need="老人需办理高龄津贴。")
    visits.do_log_visit(planned["plan"][0], log, actor=planned["member_user"], now=NOW)
    need = VisitNeed.objects.get()
    return {**planned, "need": need, "secretary_user": secretary_user}


def told(kind: str) -> set[str]:
    return set(OutboxMessage.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_late_need_reminds_the_member_then_the_secretary_and_the_village(late: dict[str, Any]) -> None:
    need = late["need"]
    item = WorkItem.objects.get(pk=need.work_item_id)
    due = item.step_due_at
    assert due is not None and due.date() == date(2026, 3, 9)  # 5 working days
    # Not yet late: nothing happens.
    assert sweep(now=due - timedelta(minutes=1)).escalated == 0
    assert told("party_need_remind") == set()
    # At the limit: reminded (the member and the grid's worker; not the outsider's worker).
    report = sweep(now=due)
    item.refresh_from_db()
    assert (report.escalated, item.state) == (1, "reminded")
    assert told("party_need_remind") == {"hq_member", "hq_grid"}
    reminder = OutboxMessage.objects.get(kind="party_need_remind", recipient=late["member_user"])
    assert "户 HQ-0" in reminder.body and "超过办理时限" in reminder.body
    assert AuditEvent.objects.filter(action="workflow.overdue", subject_id=str(item.pk)).count() == 1
    # Twice is once.
    assert sweep(now=due + timedelta(hours=1)).escalated == 0
    assert OutboxMessage.objects.filter(kind="party_need_remind").count() == 2
    # 3 working days later: escalated to the branch secretary and the village's grid head, not the member.
    second = item.step_due_at
    assert second is not None and second.date() == date(2026, 3, 12)
    sweep(now=second)
    item.refresh_from_db()
    assert item.state == "escalated" and item.step_due_at is None
    assert told("party_need_escalate") == {"hq_branch_sec", "hq_sec"}
    assert sweep(now=second + timedelta(days=30)).escalated == 0  # no further step
    # The API shows it late; the grid worker still returns it, and the member is told.
    worker = APIClient()
    worker.force_authenticate(late["users"]["hq_grid"])
    with time_machine.travel(second + timedelta(hours=1), tick=False):
        [row] = worker.get("/api/v1/party/needs/", {"state": "escalated"}).json()
        assert row["late"] is True and row["state_title"] == "逾期（已报支部书记和村）"
        response = worker.post(
            f"/api/v1/party/needs/{need.pk}/actions/", {"action": "decline", "reason": "户主已自行办理。"}
        )
    assert response.status_code == 200 and response.json()["state"] == "declined"
    assert told("party_need_decline") == {"hq_member"}


def test_a_need_taken_up_in_time_is_never_late(late: dict[str, Any]) -> None:
    need = late["need"]
    item = WorkItem.objects.get(pk=need.work_item_id)
    due = item.step_due_at
    assert due is not None
    worker = APIClient()
    worker.force_authenticate(late["users"]["hq_grid"])
    with time_machine.travel(due - timedelta(hours=1), tick=False):
        worker.post(f"/api/v1/party/needs/{need.pk}/actions/", {"action": "decline", "reason": "不需要。"})
    sweep(now=due + timedelta(days=10))
    item.refresh_from_db()
    assert item.state == "declined" and told("party_need_remind") == set()
    assert not item.transitions.filter(action="remind").exists()
