from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from notifications import delivery
from notifications.tests.conftest import COMMITTING, make_message
from notifications.tests.support import RecordingTransport
from notifications.transports import TransportError
from outbox.models import OutboxMessage

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def test_sent_on_first_try(recorder: RecordingTransport) -> None:
    message = make_message(now=NOW)

    report = delivery.deliver_due(now=NOW)

    message.refresh_from_db()
    assert report.sent == [message.pk]
    assert recorder.sent == [message.pk]
    assert (message.state, message.attempts, message.sent_at) == (OutboxMessage.State.SENT, 1, NOW)
    # Sent rows are not delivered again.
    assert delivery.deliver_due(now=NOW + timedelta(hours=1)).claimed == 0
    assert recorder.sent == [message.pk]


def test_not_due_yet_is_left_alone(recorder: RecordingTransport) -> None:
    make_message(now=NOW)
    assert delivery.deliver_due(now=NOW - timedelta(seconds=1)).claimed == 0
    assert recorder.sent == []


def test_retry_with_backoff_then_success(recorder: RecordingTransport) -> None:
    recorder.failures = [TransportError(True, "gateway busy"), TransportError(True, "gateway busy again")]
    with time_machine.travel(NOW, tick=False) as clock:
        message = make_message(now=timezone.now())

        assert delivery.deliver_due(now=timezone.now()).retried == [message.pk]
        message.refresh_from_db()
        assert message.state == OutboxMessage.State.PENDING
        assert message.attempts == 1
        assert message.last_error == "gateway busy"
        assert message.next_attempt_at == NOW + timedelta(minutes=1)

        clock.shift(timedelta(seconds=59))
        assert delivery.deliver_due(now=timezone.now()).claimed == 0

        clock.shift(timedelta(seconds=1))
        assert delivery.deliver_due(now=timezone.now()).retried == [message.pk]
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.next_attempt_at == timezone.now() + timedelta(minutes=5)

        clock.shift(timedelta(minutes=5))
        assert delivery.deliver_due(now=timezone.now()).sent == [message.pk]
        message.refresh_from_db()
        assert (message.state, message.attempts, message.sent_at) == (
            OutboxMessage.State.SENT,
            3,
            timezone.now(),
        )
    assert recorder.sent == [message.pk]


def test_dead_letter_after_max_attempts(recorder: RecordingTransport, settings: object) -> None:
    assert delivery.max_attempts() == 5
    recorder.failures = [TransportError(True, f"timeout {n}") for n in range(1, 6)]
    message = make_message(now=NOW)
    now = NOW
    outcomes = []
    for _ in range(5):
        report = delivery.deliver_due(now=now)
        outcomes.append("dead" if report.dead else "retried" if report.retried else "none")
        message.refresh_from_db()
        now = message.next_attempt_at
    assert outcomes == ["retried", "retried", "retried", "retried", "dead"]
    assert (message.state, message.attempts, message.last_error) == (OutboxMessage.State.DEAD, 5, "timeout 5")
    assert message.sent_at is None
    # A dead letter is never picked up again.
    assert delivery.deliver_due(now=NOW + timedelta(days=30)).claimed == 0
    assert recorder.sent == []


def test_backoff_schedule() -> None:
    waits = [delivery.backoff_after(n) for n in range(1, 8)]
    assert waits[:5] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=6),
    ]
    assert waits[5] == waits[6] == timedelta(hours=6)


def test_permanent_error_is_dead_at_once(recorder: RecordingTransport) -> None:
    recorder.failures = [TransportError(False, "number rejected")]
    message = make_message(now=NOW)

    assert delivery.deliver_due(now=NOW).dead == [message.pk]

    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (
        OutboxMessage.State.DEAD,
        1,
        "number rejected",
    )


def test_sms_without_gateway_is_dead_with_a_clear_error(settings: object) -> None:
    settings.SMS_GATEWAY_URL = ""  # type: ignore[attr-defined]
    message = make_message(now=NOW, channel=OutboxMessage.Channel.SMS)

    assert delivery.deliver_due(now=NOW).dead == [message.pk]

    message.refresh_from_db()
    assert "SMS_GATEWAY_URL" in message.last_error


def test_unknown_channel_is_dead() -> None:
    message = make_message(now=NOW, channel="pigeon")

    assert delivery.deliver_due(now=NOW).dead == [message.pk]
    message.refresh_from_db()
    assert "unknown channel" in message.last_error


def test_a_crashing_transport_retries_instead_of_killing_the_worker(
    recorder: RecordingTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(message: OutboxMessage) -> None:
        raise ValueError("bug in transport")

    monkeypatch.setattr(recorder, "send", explode)
    message = make_message(now=NOW)

    assert delivery.deliver_due(now=NOW).retried == [message.pk]
    message.refresh_from_db()
    assert message.last_error == "ValueError: bug in transport"


def test_a_stale_claim_loses(recorder: RecordingTransport) -> None:
    """Two workers read the same due row; the first claim wins and the second, comparing against what it
    read, takes nothing."""
    message = make_message(now=NOW)
    seen = (message.attempts, message.next_attempt_at)

    assert delivery.claim_message(message.pk, attempts=seen[0], next_attempt_at=seen[1], now=NOW)
    assert not delivery.claim_message(message.pk, attempts=seen[0], next_attempt_at=seen[1], now=NOW)
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.next_attempt_at == NOW + delivery.claim_lease()


def test_a_claimed_row_comes_back_when_its_lease_lapses(recorder: RecordingTransport) -> None:
    """A worker that died after claiming: the row is hidden for the lease, then sent by the next sweep."""
    message = make_message(now=NOW)
    assert delivery.claim_message(message.pk, attempts=0, next_attempt_at=NOW, now=NOW)

    assert delivery.deliver_due(now=NOW + delivery.claim_lease() - timedelta(seconds=1)).claimed == 0
    assert delivery.deliver_due(now=NOW + delivery.claim_lease()).sent == [message.pk]
    message.refresh_from_db()
    assert message.attempts == 2


def test_deliver_messages_sends_only_the_named_due_rows(recorder: RecordingTransport) -> None:
    first = make_message(now=NOW)
    second = make_message(now=NOW)
    later = make_message(now=NOW + timedelta(minutes=10))

    report = delivery.deliver_messages([first.pk, later.pk, 999_999], now=NOW)

    assert report.sent == [first.pk]
    assert recorder.sent == [first.pk]
    second.refresh_from_db()
    assert second.state == OutboxMessage.State.PENDING
    assert delivery.deliver_messages([], now=NOW).claimed == 0


def test_batch_limit(recorder: RecordingTransport) -> None:
    ids = [make_message(now=NOW + timedelta(seconds=n)).pk for n in range(3)]
    assert delivery.deliver_due(now=NOW + timedelta(minutes=1), limit=2).sent == ids[:2]


@COMMITTING
def test_no_transport_runs_inside_a_transaction(
    recorder: RecordingTransport, no_after_commit_delivery: None
) -> None:
    recorder.failures = [TransportError(True, "busy")]
    message = make_message(now=NOW)

    delivery.deliver_due(now=NOW)
    delivery.deliver_due(now=NOW + timedelta(minutes=1))

    assert recorder.sent == [message.pk]
    assert recorder.in_transaction == [False, False]


@COMMITTING
def test_delivery_refuses_to_run_inside_a_callers_transaction(
    recorder: RecordingTransport, no_after_commit_delivery: None
) -> None:
    make_message(now=NOW)
    with pytest.raises(RuntimeError), transaction.atomic():
        delivery.deliver_due(now=NOW)
    assert recorder.sent == []
