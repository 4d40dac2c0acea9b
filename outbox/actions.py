"""Queueing messages: call `enqueue` inside the transaction of the change. After commit, the
`outbox_committed` signal tells whoever delivers (the notifications app) that rows are waiting; the
outbox and the streams never import their deliverers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import django.dispatch
from django.db import transaction

from outbox.models import OutboxMessage

outbox_committed = django.dispatch.Signal()


def enqueue(
    *,
    channel: str,
    kind: str,
    body: str,
    now: datetime,
    recipient: Any = None,
    address: str = "",
    subject: str = "",
    payload: dict[str, Any] | None = None,
) -> OutboxMessage:
    if recipient is None and not address:
        raise ValueError("an outbox message needs a recipient or an address")
    message = OutboxMessage.objects.create(
        created_at=now,
        channel=channel,
        recipient=recipient,
        address=address,
        kind=kind,
        subject=subject,
        body=body,
        payload=payload or {},
        next_attempt_at=now,
    )
    message_id = message.pk
    transaction.on_commit(lambda: outbox_committed.send(sender=OutboxMessage, message_ids=[message_id]))
    return message
