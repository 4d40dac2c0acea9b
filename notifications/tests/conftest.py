from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from django.db import transaction

from notifications.tests.support import RECORDER, RecordingTransport
from outbox.actions import enqueue
from outbox.models import OutboxMessage

# Transactional tests write outbox rows only, so only workflow's tables are flushed afterwards (flushing
# every table costs about a second per test on PostgreSQL).
COMMITTING = pytest.mark.django_db(
    transaction=True,
    available_apps=["outbox", "workflow", "notifications"],
)


@pytest.fixture
def recorder(settings: Any) -> Iterator[RecordingTransport]:
    """Console messages go to the recording transport."""
    settings.NOTIFICATION_TRANSPORTS = {"console": "notifications.tests.support.recording_transport"}
    RECORDER.reset()
    yield RECORDER
    RECORDER.reset()


def make_message(
    *, now: datetime, channel: str = "console", address: str = "13800000000", **kw: Any
) -> OutboxMessage:
    with transaction.atomic():
        return enqueue(
            channel=channel,
            kind=kw.pop("kind", "test.notice"),
            body="您有一条新工单",
            address=address,
            now=now,
            **kw,
        )


@pytest.fixture
def no_after_commit_delivery() -> Iterator[None]:
    """Rows committed in transactional tests are left for the test to deliver (the receiver would
    otherwise deliver them at once through huey's immediate mode)."""
    from notifications.receivers import on_outbox_committed
    from outbox.actions import outbox_committed

    uid = "notifications.deliver_committed_outbox"
    outbox_committed.disconnect(dispatch_uid=uid)
    yield
    outbox_committed.connect(on_outbox_committed, dispatch_uid=uid)
