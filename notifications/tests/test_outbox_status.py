from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from notifications import delivery
from notifications.tests.conftest import make_message
from notifications.tests.support import RecordingTransport
from notifications.transports import TransportError

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("outbox_status", stdout=out)
    return out.getvalue()


def test_counts_and_dead_letters(recorder: RecordingTransport) -> None:
    recorder.failures = [TransportError(False, "HTTP 400:\nbad number")]
    dead = make_message(now=NOW, kind="grid.dispatched")
    delivery.deliver_due(now=NOW)
    make_message(now=NOW)
    make_message(now=NOW)
    sent = make_message(now=NOW)
    delivery.deliver_messages([sent.pk], now=NOW)

    output = run()

    lines = output.splitlines()
    assert any(line.split()[:2] == ["pending", "2"] for line in lines)
    assert any(line.split()[:2] == ["sent", "1"] for line in lines)
    assert any(line.split()[:2] == ["dead", "1"] for line in lines)
    [row] = [line for line in lines if line.split()[:1] == [str(dead.pk)]]
    assert row.split()[:3] == [str(dead.pk), "grid.dispatched", "1"]
    assert "HTTP 400: bad number" in row


def test_empty_outbox() -> None:
    output = run()
    assert "no dead letters" in output
    assert "pending" in output
