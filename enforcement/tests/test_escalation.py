"""An ordinary case about to pass its 90-day limit is escalated (督办) by the workflow sweeper."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from audit.models import AuditEvent
from enforcement.actions import do_case_action, do_open_case
from enforcement.models import Case
from enforcement.tests.test_case_flow import ORDINARY, at, end_of
from workflow.models import Transition
from workflow.sweeper import sweep

pytestmark = pytest.mark.django_db


def test_sweeper_escalates_a_case_before_90_days(people: dict[str, Any]) -> None:
    officer, leader = people["hq_officer2"], people["hq_squad_leader"]
    with time_machine.travel(at(3, 2), tick=False):
        case = do_open_case(dict(ORDINARY), actor=officer, now=at(3, 2))
        do_case_action(case, "propose_filing", actor=officer, now=at(3, 2))
        case = do_case_action(case, "approve_filing", actor=leader, now=at(3, 2))
    assert case.decision_due_at == end_of(5, 31)
    item = Case.objects.select_related("work_item").get(pk=case.pk).work_item
    assert item is not None
    assert item.step_due_at == end_of(5, 21)
    # 80 % of the step (2 March 10:00 → 21 May 24:00, 80 days 14 hours): warned on day 64.
    report = sweep(now=at(5, 1))
    assert (
        report.warned == 0
        or Transition.objects.filter(item=item, action__startswith="supervise").count() == 0
    )
    report = sweep(now=at(5, 6))
    assert report.warned == 1 and report.escalated == 0
    assert AuditEvent.objects.filter(action="workflow.warn", subject_id=str(item.pk)).exists()
    # Ten days before the 90-day limit the sweeper takes the 督办 action as the system actor.
    assert sweep(now=at(5, 21, 23, 0)).escalated == 0
    report = sweep(now=at(5, 22, 0, 1))
    assert report.escalated == 1
    supervise = Transition.objects.get(item=item, action="supervise_investigating")
    assert supervise.actor.is_system
    item.refresh_from_db()
    assert item.state == "investigating"
    assert item.overdue_at is not None
    # Once only.
    assert sweep(now=at(5, 23)).escalated == 0


def test_a_paused_case_is_not_escalated(people: dict[str, Any]) -> None:
    officer, leader = people["hq_officer2"], people["hq_squad_leader"]
    case = do_open_case(dict(ORDINARY), actor=officer, now=at(3, 2))
    do_case_action(case, "propose_filing", actor=officer, now=at(3, 2))
    do_case_action(case, "approve_filing", actor=leader, now=at(3, 2))
    do_case_action(case, "suspend", actor=officer, now=at(3, 3), reason="送检")
    assert sweep(now=at(5, 25)).escalated == 0
    case = do_case_action(case, "resume", actor=officer, now=at(5, 25))
    # Suspended 83 days: the decision limit moves from 31 May to Saturday 22 August, so to the end of the
    # next working day, Monday 24 August.
    assert case.decision_due_at == end_of(8, 24)
