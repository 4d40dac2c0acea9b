"""Queueing messages: call `enqueue` inside the transaction of the change. After commit, the
`outbox_committed` signal tells whoever delivers (the notifications app) that rows are waiting; the
outbox and the streams never import their deliverers."""

from __future__ import annotations

from collections.abc import Callable
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


def enqueue_many(
    messages: list[dict[str, Any]], *, insert: Callable[[list[OutboxMessage]], None] | None = None
) -> list[OutboxMessage]:
    """Queue many messages (each the keywords of `enqueue`) at once, inside the caller's transaction;
    one `outbox_committed` signal after commit names them all. `insert` writes the rows and sets their
    ids (e.g. `workflow.bulk`'s COPY); by default one `bulk_create`."""
    rows = []
    for m in messages:
        if m.get("recipient") is None and not m.get("address"):
            raise ValueError("an outbox message needs a recipient or an address")
        rows.append(
            OutboxMessage(
                created_at=m["now"],
                channel=m["channel"],
                recipient=m.get("recipient"),
                address=m.get("address", ""),
                kind=m["kind"],
                subject=m.get("subject", ""),
                body=m["body"],
                payload=m.get("payload") or {},
                next_attempt_at=m["now"],
            )
        )
    if not rows:
        return []
    if insert is None:
        OutboxMessage.objects.bulk_create(rows)
    else:
        insert(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: outbox_committed.send(sender=OutboxMessage, message_ids=ids))
    return rows
