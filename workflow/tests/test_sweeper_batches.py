"""The sweeper takes due rows in batches (one transaction each, rows written in bulk through
`transition_many`): the same rows as one by one, a bounded number of queries whatever the batch's size, a
bad row rolled back with its batch and then backed off alone, a moved deadline left alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from outbox.models import OutboxMessage
from workflow import sweeper
from workflow.actors import system_actor
from workflow.engine import transition, transition_many
from workflow.models import Transition, WorkItem
from workflow.sweeper import sweep
from workflow.tests.conftest import URBAN, at

pytestmark = pytest.mark.django_db

DUE = at(2026, 10, 13, 17, 30)  # the handling step of an item dispatched 2026-09-30 10:00 is over


def handling(start_item: Callable[..., WorkItem], personas: dict[str, Any], n: int) -> list[WorkItem]:
    items = []
    for _ in range(n):
        item = start_item(at(2026, 9, 29))
        items.append(
            transition(
                item,
                "dispatch",
                actor=personas["dispatcher"],
                now=at(2026, 9, 30),
                inputs={"assigned_unit": URBAN, "assignee": "hq_agency"},
            )
        )
    return items


def written(item: WorkItem) -> dict[str, Any]:
    """What the sweeper left of one item, without ids and hashes."""
    item = WorkItem.objects.get(pk=item.pk)
    transitions = list(
        Transition.objects.filter(item=item, action="supervise").values_list(
            "from_state", "to_state", "actor__username", "reason", "occurred_at", "step_elapsed_seconds"
        )
    )
    audits = [
        (
            a.action,
            a.actor_label,
            a.territory_code,
            {k: v for k, v in (a.after or {}).items() if k != "transition"},
        )
        for a in AuditEvent.objects.filter(
            subject_id=str(item.pk), action__in=["workflow.overdue", "workflow.supervise", "workflow.warn"]
        ).order_by("id")
    ]
    messages = list(
        OutboxMessage.objects.filter(
            payload__work_item=item.pk, kind__in=["workflow.warn", "workflow.supervise"]
        )
        .order_by("id")
        .values_list("kind", "recipient__username", "body")
    )
    columns = {
        f.attname: getattr(item, f.attname)
        for f in WorkItem._meta.concrete_fields
        if f.attname not in {"id", "title", "subject_id"}
    }
    return {"item": columns, "transitions": transitions, "audits": audits, "messages": messages}


def test_a_batch_writes_what_one_by_one_writes(
    personas: dict[str, Any], start_item: Callable[..., WorkItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    batched, single = handling(start_item, personas, 2)
    sweep(now=DUE)  # both in one batch
    one = written(batched)
    assert one["transitions"] and one["messages"] and len(one["audits"]) == 3
    # The same pass with batches of one failing: every row takes the one-by-one path.
    other = handling(start_item, personas, 1)[0]
    monkeypatch.setattr(sweeper, "CHUNK", 1)
    monkeypatch.setattr(sweeper, "_overdue_batch", _broken)
    monkeypatch.setattr(sweeper, "_warn_batch", _broken)
    report = sweep(now=DUE)
    assert (report.warned, report.overdue, report.escalated, report.failed) == (1, 1, 1, 0)
    assert written(other) == one == written(single)


def _broken(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("batch refused")


def test_a_pass_makes_the_same_queries_for_3_rows_as_for_12(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    handling(start_item, personas, 1)
    sweep(now=DUE)  # the process caches warm
    handling(start_item, personas, 3)
    with CaptureQueriesContext(connection) as few:
        assert sweep(now=DUE).escalated == 3
    handling(start_item, personas, 12)
    with CaptureQueriesContext(connection) as many:
        assert sweep(now=DUE).escalated == 12
    assert len(many.captured_queries) == len(few.captured_queries) <= 24, [
        q["sql"][:120] for q in many.captured_queries
    ]


def test_one_bad_row_fails_alone(
    personas: dict[str, Any], start_item: Callable[..., WorkItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    items = handling(start_item, personas, 4)
    bad = items[2].pk
    real = sweeper.transition

    def refuses_one(item: WorkItem, *args: Any, **kwargs: Any) -> WorkItem:
        if item.pk == bad:
            raise RuntimeError("this one is broken")
        return real(item, *args, **kwargs)

    def batch_refuses_one(moves: list[tuple[WorkItem, str]], **kwargs: Any) -> list[WorkItem]:
        if any(item.pk == bad for item, _ in moves):
            raise RuntimeError("this one is broken")
        return transition_many(moves, **kwargs)

    monkeypatch.setattr(sweeper, "transition", refuses_one)
    monkeypatch.setattr(sweeper, "transition_many", batch_refuses_one)
    report = sweep(now=DUE)
    assert (report.overdue, report.escalated, report.failed) == (3, 3, 1)
    assert WorkItem.objects.get(pk=bad).overdue_at is None
    assert WorkItem.objects.get(pk=bad).sweep_failures == 1
    assert not Transition.objects.filter(item_id=bad, action="supervise").exists()
    assert Transition.objects.filter(action="supervise").count() == 3


def test_a_moved_deadline_is_left_alone(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    item = handling(start_item, personas, 1)[0]
    found = sweeper.due_for_overdue(DUE, 10)
    moved: datetime = found[0][1].replace(year=2025)  # what a sweeper read before a person acted
    overdue, escalated, skipped = sweeper._overdue_batch([(item.pk, moved)], DUE, system_actor())
    assert (overdue, escalated, skipped) == (0, 0, 1)
    assert WorkItem.objects.get(pk=item.pk).overdue_at is None
