"""The escalation sweeper: warns at 80 %, marks overdue and runs the rule's action at 100 % as the
system actor, exactly once; backs off a failing row; finds rows through the partial indexes."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection

from audit.models import AuditEvent
from outbox.models import OutboxMessage
from workflow import sweeper
from workflow.models import Transition, WorkItem
from workflow.sweeper import sweep
from workflow.tasks import run_sweep
from workflow.tests.conftest import at

pytestmark = pytest.mark.django_db

WARN = at(2026, 10, 12, 16, 18)  # 80 % of the handling step (see test_engine)
DUE = at(2026, 10, 13, 17, 30)


def test_nothing_to_do_before_the_warning(handling_item: WorkItem) -> None:
    report = sweep(now=at(2026, 10, 12, 16, 17))
    assert (report.warned, report.overdue) == (0, 0)


def test_warning_at_80_percent_notifies_the_assignee_once(
    personas: dict[str, Any], handling_item: WorkItem
) -> None:
    report = sweep(now=WARN)
    assert report.warned == 1 and report.overdue == 0
    item = WorkItem.objects.get(pk=handling_item.pk)
    assert item.warned_at == WARN
    message = OutboxMessage.objects.get(kind="workflow.warn")
    assert message.recipient == personas["hq_agency"]
    assert sweep(now=WARN).warned == 0
    assert OutboxMessage.objects.filter(kind="workflow.warn").count() == 1


def test_overdue_runs_the_supervise_action_as_the_system_actor_once(
    personas: dict[str, Any], handling_item: WorkItem
) -> None:
    report = sweep(now=DUE)
    assert (report.warned, report.overdue, report.escalated) == (1, 1, 1)
    item = WorkItem.objects.get(pk=handling_item.pk)
    assert item.overdue_at == DUE and item.state == "handling"
    supervise = Transition.objects.get(item=item, action="supervise")
    assert supervise.actor.username == "system" and supervise.actor.is_system
    assert AuditEvent.objects.filter(action="workflow.overdue", subject_id=str(item.pk)).count() == 1
    assert AuditEvent.objects.filter(action="workflow.supervise", subject_id=str(item.pk)).count() == 1
    again = sweep(now=at(2026, 10, 20))
    assert (again.warned, again.overdue) == (0, 0)
    assert Transition.objects.filter(item=item, action="supervise").count() == 1


def test_a_rule_without_action_only_marks_overdue(personas: dict[str, Any], start_item: Any) -> None:
    item = start_item(at(2026, 9, 29, 10))
    report = sweep(now=at(2026, 9, 29, 15, 30))
    assert (report.overdue, report.escalated) == (1, 0)
    assert WorkItem.objects.get(pk=item.pk).overdue_at == at(2026, 9, 29, 15, 30)
    assert OutboxMessage.objects.filter(kind="workflow.overdue").count() == 0  # no assignee, no unit yet


def test_acting_resets_the_sweeper_for_the_new_step(personas: dict[str, Any], start_item: Any) -> None:
    from workflow.engine import transition

    item = start_item(at(2026, 9, 29, 10))
    sweep(now=at(2026, 9, 29, 16))
    item = WorkItem.objects.get(pk=item.pk)
    assert item.overdue_at is not None
    item = transition(
        item,
        "dispatch",
        actor=personas["dispatcher"],
        now=at(2026, 9, 30),
        inputs={"assigned_unit": "320507003-urban"},
    )
    assert item.overdue_at is None and item.warned_at is None


def test_a_failing_row_is_backed_off_not_retried_every_pass(
    handling_item: WorkItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("notification service down")

    monkeypatch.setattr(sweeper, "transition_many", broken)  # the batch fails: rows one by one
    monkeypatch.setattr(sweeper, "transition", broken)
    first = sweep(now=DUE)
    assert first.failed == 1 and first.overdue == 0
    item = WorkItem.objects.get(pk=handling_item.pk)
    assert item.overdue_at is None  # the claim rolled back with the failure
    assert item.sweep_failures == 1 and item.sweep_retry_at is not None
    assert (item.sweep_retry_at - DUE).total_seconds() == 120
    assert "notification service down" in item.last_sweep_error
    assert sweep(now=at(2026, 10, 13, 17, 31)).failed == 0  # backed off: not tried
    second = sweep(now=at(2026, 10, 13, 17, 33))
    assert second.failed == 1
    item = WorkItem.objects.get(pk=handling_item.pk)
    assert item.sweep_failures == 2 and item.sweep_retry_at is not None
    assert (item.sweep_retry_at - at(2026, 10, 13, 17, 33)).total_seconds() == 240
    monkeypatch.undo()
    healed = sweep(now=at(2026, 10, 13, 17, 40))
    assert healed.overdue == 1 and healed.escalated == 1
    assert WorkItem.objects.get(pk=handling_item.pk).sweep_failures == 0


def test_the_huey_task_reads_the_clock(handling_item: WorkItem) -> None:
    with time_machine.travel(DUE, tick=False):
        result = run_sweep()
    assert result["overdue"] == 1 and result["escalated"] == 1


@pytest.mark.parametrize(
    ("candidates", "index"),
    [
        (sweeper.warning_candidates, "workitem_warn_idx"),
        (sweeper.overdue_candidates, "workitem_step_due_idx"),
    ],
)
def test_the_scan_uses_the_partial_indexes(candidates: Any, index: str) -> None:
    sql, params = candidates(DUE).values_list("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # an empty test table would be scanned anyway
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert index in plan, plan
