"""The signal path: `outbox.actions.enqueue` → commit → `outbox_committed` → huey task → delivery. The
suite's huey runs in immediate mode; test_consumer.py runs the same path under a real consumer."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.tests.conftest import COMMITTING
from notifications.tests.support import RecordingTransport
from outbox.actions import enqueue
from outbox.models import OutboxMessage

pytestmark = COMMITTING


def test_delivered_after_commit_not_before(recorder: RecordingTransport) -> None:
    with transaction.atomic():
        message = enqueue(
            channel="console", kind="grid.dispatched", body="新工单", address="x", now=timezone.now()
        )
        assert recorder.sent == []

    assert recorder.sent == [message.pk]
    assert recorder.in_transaction == [False]
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT


def test_rolled_back_transaction_sends_nothing(recorder: RecordingTransport) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        enqueue(channel="console", kind="grid.dispatched", body="新工单", address="x", now=timezone.now())
        raise Boom

    assert recorder.sent == []
    assert not OutboxMessage.objects.exists()


def test_a_lost_enqueue_is_logged_not_raised(
    recorder: RecordingTransport, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def queue_down(ids: list[int]) -> None:
        raise ConnectionError("redis down")

    monkeypatch.setattr("notifications.tasks.deliver_outbox_messages", queue_down)
    with transaction.atomic():
        message = enqueue(channel="console", kind="k", body="b", address="x", now=timezone.now())

    assert "the sweep will pick them up" in caplog.text
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    # The periodic sweep delivers it.
    from notifications.tasks import deliver_due_outbox

    deliver_due_outbox.call_local()
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert recorder.sent == [message.pk]
