"""core.bulk's fast inserts (`allocate_ids`, `insert_rows`, `create_objects`, `insert_objects`): what
they store equals what `bulk_create` stores, column by column, on SQLite and on PostgreSQL (COPY); the ids
they reserve never collide with the ORM's own; a row without a required value is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction

from core.bulk import allocate_ids, create_objects, insert_objects, insert_rows
from outbox.models import OutboxMessage
from workflow.models import Priority, Transition, WorkItem, engine_writes
from workflow.publishing import current_version

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 29, 2, 0, 0, 123456, tzinfo=UTC)
# Text COPY must escape: tab, newline, carriage return, backslash, and a literal "\N" (its NULL).
AWKWARD = "第1行\t制表\n换行\r回车 \\ 反斜杠 \\N 空值记号 'quote' \"dq\" ,{}"


def message_values(user_id: int | None, **kwargs: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "created_at": NOW,
        "channel": OutboxMessage.Channel.CONSOLE,
        "recipient_id": user_id,
        "kind": "test.kind",
        "subject": AWKWARD[:200],
        "body": AWKWARD,
        "payload": {"event": 7, "text": AWKWARD, "list": [1, 2.5, None, True], "nested": {"a": "甲"}},
        "next_attempt_at": NOW,
    }
    values.update(kwargs)
    return values


def columns(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields if f.attname != "id"}


def test_insert_rows_stores_what_bulk_create_stores(personas: dict[str, Any]) -> None:
    user = personas["dispatcher"]
    with transaction.atomic():
        [reference] = OutboxMessage.objects.bulk_create([OutboxMessage(**message_values(user.pk))])
        ids = allocate_ids(OutboxMessage, 2)
        insert_rows(
            OutboxMessage,
            [
                {"id": ids[0], **message_values(user.pk)},
                {"id": ids[1], **message_values(None, address="13800138000", sent_at=NOW, attempts=3)},
            ],
        )
    stored = OutboxMessage.objects.get(pk=ids[0])
    assert columns(stored) == columns(OutboxMessage.objects.get(pk=reference.pk))
    assert stored.body == AWKWARD and stored.payload["text"] == AWKWARD
    assert stored.state == OutboxMessage.State.PENDING and stored.attempts == 0  # the fields' defaults
    assert stored.created_at == NOW  # microseconds and the zone survive
    other = OutboxMessage.objects.get(pk=ids[1])
    assert (other.recipient_id, other.address, other.attempts, other.sent_at) == (None, "13800138000", 3, NOW)
    assert OutboxMessage.objects.filter(payload__event=7).count() == 3  # JSON is JSON, not a string


def test_create_objects_and_insert_objects_equal_bulk_create(personas: dict[str, Any]) -> None:
    version = current_version("sample_complaint", now=NOW)
    item_values: dict[str, Any] = {
        "process_version_id": version.pk,
        "process_name": "sample_complaint",
        "title": AWKWARD[:200],
        "subject_type": "grid.gridevent",
        "subject_id": "12",
        "state": "registered",
        "territory_code": "320507003201001",
        "priority": Priority.URGENT,
        "created_at": NOW,
        "updated_at": NOW,
        "step_started_at": NOW,
        "step_unit": "work_hours",
        "step_limit_seconds": 5400.5,
        "step_due_at": NOW,
        "deadline_provisional": True,
        "limit_overrides": {"handling": {"amount": 2, "unit": "work_days"}},
    }
    with transaction.atomic(), engine_writes():
        [reference] = WorkItem.objects.bulk_create([WorkItem(**item_values)])
        [pk] = allocate_ids(WorkItem, 1)
        [made] = create_objects(WorkItem, [{"id": pk, **item_values}])
        assert made.pk == pk and not made._state.adding
        transitions = [
            Transition(
                id=tid,
                item_id=pk,
                action="start",
                to_state="registered",
                actor=personas["dispatcher"],
                reason=AWKWARD,
                inputs={"k": AWKWARD},
                occurred_at=NOW,
            )
            for tid in allocate_ids(Transition, 2)
        ]
        insert_objects(transitions)
        assert all(not t._state.adding for t in transitions)
    stored = WorkItem.objects.get(pk=pk)
    assert columns(stored) == columns(WorkItem.objects.get(pk=reference.pk)) == columns(made)
    assert stored.paused_seconds_total == 0.0 and stored.version == 1 and stored.overdue_at is None
    assert [t.reason for t in Transition.objects.filter(item_id=pk)] == [AWKWARD, AWKWARD]
    assert Transition.objects.filter(item_id=pk, inputs__k=AWKWARD).count() == 2


def test_reserved_ids_do_not_collide_with_the_orms(personas: dict[str, Any]) -> None:
    user = personas["dispatcher"]
    with transaction.atomic():
        before = OutboxMessage.objects.create(**message_values(user.pk))
        first = allocate_ids(OutboxMessage, 3)
        second = allocate_ids(OutboxMessage, 2)  # a second reservation before the first is written
        assert first == sorted(first) and len(set(first + second)) == 5
        assert min(first + second) > before.pk
        after = OutboxMessage.objects.create(**message_values(user.pk))  # the ORM's next id
        assert after.pk not in first + second
        insert_rows(OutboxMessage, [{"id": pk, **message_values(user.pk)} for pk in first + second])
        later = OutboxMessage.objects.create(**message_values(user.pk))
    assert OutboxMessage.objects.count() == 8
    assert later.pk > max(first + second)
    assert allocate_ids(OutboxMessage, 0) == []


def test_rows_without_a_required_value_or_an_id_are_refused(personas: dict[str, Any]) -> None:
    user = personas["dispatcher"]
    with transaction.atomic():
        [pk] = allocate_ids(OutboxMessage, 1)
        values = message_values(user.pk)
        del values["body"]
        with pytest.raises(ValueError, match="body"):
            insert_rows(OutboxMessage, [{"id": pk, **values}])
        with pytest.raises(ValueError, match="no value for id"):
            insert_rows(OutboxMessage, [message_values(user.pk)])
        with pytest.raises(ValueError, match="primary key"):
            insert_objects([OutboxMessage(**message_values(user.pk))])
    assert not OutboxMessage.objects.exists()
