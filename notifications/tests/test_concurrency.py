"""Two workers delivering at once send each message exactly once: the compare-and-swap claim lets only
one of them take a row."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection

from notifications import delivery
from notifications.delivery import DeliveryReport
from notifications.tests.conftest import COMMITTING, make_message
from notifications.tests.support import RecordingTransport
from outbox.models import OutboxMessage

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
MESSAGES = 40


@pytest.mark.postgres
@COMMITTING
def test_two_workers_on_two_connections_send_each_message_once(
    on_postgres: None, recorder: RecordingTransport, no_after_commit_delivery: None
) -> None:
    ids = [make_message(now=NOW).pk for _ in range(MESSAGES)]
    start = threading.Barrier(2)
    reports: list[DeliveryReport] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(timeout=10)
            reports.append(delivery.deliver_due(now=NOW, limit=MESSAGES))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(reports) == 2
    assert Counter(recorder.sent) == Counter(ids)  # every message, none twice
    assert sorted(reports[0].sent + reports[1].sent) == ids
    # Whatever one worker read but the other had claimed was skipped, not sent.
    assert set(reports[0].skipped) <= set(reports[1].sent)
    assert set(reports[1].skipped) <= set(reports[0].sent)
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxMessage.State.SENT}
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_two_workers_in_turn_send_each_message_once(recorder: RecordingTransport) -> None:
    """The same on any database, serially: the second worker finds nothing left to claim."""
    ids = [make_message(now=NOW).pk for _ in range(5)]

    first = delivery.deliver_due(now=NOW)
    second = delivery.deliver_due(now=NOW)

    assert first.sent == ids
    assert second.claimed == 0
    assert recorder.sent == ids


@pytest.mark.django_db
def test_worker_that_read_before_another_claimed_skips(recorder: RecordingTransport) -> None:
    """Worker B read the due rows, then worker A claimed and sent them: B's claims fail and it sends none."""
    ids = [make_message(now=NOW).pk for _ in range(3)]
    read_by_b = list(OutboxMessage.objects.values_list("id", "attempts", "next_attempt_at"))

    delivery.deliver_due(now=NOW)  # worker A

    claims_by_b = [
        delivery.claim_message(pk, attempts=attempts, next_attempt_at=due, now=NOW)
        for pk, attempts, due in read_by_b
    ]
    assert claims_by_b == [False, False, False]
    assert recorder.sent == ids
