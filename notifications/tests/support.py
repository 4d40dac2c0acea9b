"""A transport for tests: records what it sends (and whether a transaction was open at that moment) and
fails on cue. Installed through `NOTIFICATION_TRANSPORTS` by the `recorder` fixture."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db import connection

from notifications.transports import TransportError
from outbox.models import OutboxMessage


@dataclass
class RecordingTransport:
    sent: list[int] = field(default_factory=list)
    in_transaction: list[bool] = field(default_factory=list)
    # Failures to raise, in order, before sends succeed again.
    failures: list[TransportError] = field(default_factory=list)
    sent_event: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: OutboxMessage) -> None:
        with self.lock:
            self.in_transaction.append(connection.in_atomic_block)
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append(message.pk)
            self.sent_event.set()

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()
            self.in_transaction.clear()
            self.failures.clear()
            self.sent_event.clear()


RECORDER = RecordingTransport()


def recording_transport() -> RecordingTransport:
    return RECORDER
