"""The delivery tasks under a REAL huey consumer (not immediate mode): a SqliteHuey on a temporary file
always, and a RedisHuey when REDIS_URL is set. The consumer's worker threads use their own database
connections, so the rows must be committed (transactional tests)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from core.testing import RunningConsumer, wait_for
from notifications.tasks import DeliveryTasks, build_delivery_tasks
from notifications.tests.conftest import COMMITTING, make_message
from notifications.tests.support import RecordingTransport
from notifications.transports import TransportError
from outbox.actions import enqueue
from outbox.models import OutboxMessage

pytestmark = COMMITTING


def _sqlite_huey(tmp_path: Path) -> Huey:
    return SqliteHuey(f"zhili-test-{uuid.uuid4().hex}", filename=str(tmp_path / "huey.sqlite3"))


def _redis_huey(tmp_path: Path) -> Huey:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("needs a Redis server (set REDIS_URL)")
    # A short blocking read, so the consumer stops quickly.
    return RedisHuey(f"zhili-test-{uuid.uuid4().hex}", url=url, read_timeout=0.1)


@pytest.fixture(
    params=[
        pytest.param(_sqlite_huey, id="sqlite-huey"),
        pytest.param(_redis_huey, id="redis-huey", marks=pytest.mark.redis),
    ]
)
def job_queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Huey, DeliveryTasks]]:
    huey: Huey = request.param(tmp_path)
    tasks = build_delivery_tasks(huey)
    yield huey, tasks
    huey.flush()
    huey.storage.close()


def state_of(message: OutboxMessage) -> str:
    return OutboxMessage.objects.values_list("state", flat=True).get(pk=message.pk)


def test_consumer_delivers_a_committed_message(
    job_queue: tuple[Huey, DeliveryTasks], recorder: RecordingTransport, no_after_commit_delivery: None
) -> None:
    huey, tasks = job_queue
    message = make_message(now=timezone.now())
    tasks.deliver_outbox_messages([message.pk])
    assert huey.pending_count() == 1

    with RunningConsumer(huey):
        # Wait on the transport's event, not the database: the main thread stays off the database while
        # the workers write (SQLite's shared in-memory test database locks whole tables).
        wait_for(recorder.sent_event.is_set, "the message to be sent")

    assert state_of(message) == OutboxMessage.State.SENT
    assert recorder.sent == [message.pk]
    assert recorder.in_transaction == [False]
    assert huey.pending_count() == 0


def test_signal_path_through_the_consumer(
    job_queue: tuple[Huey, DeliveryTasks], recorder: RecordingTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """enqueue() in a transaction → after commit the receiver queues the task on this huey → the consumer
    delivers it. Nothing is queued while the transaction is open."""
    huey, tasks = job_queue
    monkeypatch.setattr("notifications.tasks.deliver_outbox_messages", tasks.deliver_outbox_messages)

    with transaction.atomic():
        message = enqueue(
            channel="console", kind="grid.dispatched", body="新工单", address="x", now=timezone.now()
        )
        assert huey.pending_count() == 0
    assert huey.pending_count() == 1

    with RunningConsumer(huey):
        wait_for(recorder.sent_event.is_set, "the message to be sent")

    assert state_of(message) == OutboxMessage.State.SENT
    assert recorder.sent == [message.pk]


def test_periodic_sweep_through_the_consumer(
    job_queue: tuple[Huey, DeliveryTasks], recorder: RecordingTransport, no_after_commit_delivery: None
) -> None:
    """A message whose enqueue was lost and one whose retry is due: the sweep task delivers both."""
    huey, tasks = job_queue
    # The scheduler would enqueue it at every minute.
    for minute in (0, 13, 59):
        due = huey.read_periodic(datetime(2026, 3, 2, 7, minute))
        assert [task.name for task in due] == ["notifications.deliver_due_outbox"]
    recorder.failures = [TransportError(True, "busy")]
    retried = make_message(now=timezone.now() - timedelta(hours=1))
    tasks.deliver_outbox_messages([retried.pk])
    with RunningConsumer(huey):
        wait_for(lambda: recorder.in_transaction == [False], "the first, failing attempt")
    OutboxMessage.objects.filter(pk=retried.pk).update(next_attempt_at=timezone.now())  # its backoff passed
    lost = make_message(now=timezone.now())

    tasks.deliver_due_outbox()
    with RunningConsumer(huey):
        wait_for(lambda: len(recorder.sent) == 2, "both messages to be sent")

    assert sorted(recorder.sent) == [retried.pk, lost.pk]
    assert {state_of(retried), state_of(lost)} == {OutboxMessage.State.SENT}
