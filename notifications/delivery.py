"""Delivering the outbox: claim a due row with a compare-and-swap UPDATE that commits on its own, send it
through its channel's transport outside any transaction, then record the outcome (sent, retry with backoff,
or dead letter) in a second short transaction. Every state change of an outbox row happens here.

Delivery is at least once: a worker that dies between the send and the record leaves the row claimed until
its lease runs out, and then another worker sends it again."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from core.env import env_int
from notifications import transports
from outbox.models import OutboxMessage

logger = logging.getLogger("zhili.notifications")

# Waits after the 1st, 2nd, 3rd … failed attempt; the last one repeats.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
_ERROR_LIMIT = 2000


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", env_int("OUTBOX_MAX_ATTEMPTS", 5)))


def claim_lease() -> timedelta:
    """How long a claimed row stays invisible to other workers while its send is under way. It must be
    longer than the slowest send (the SMS gateway timeout, SMTP) or a slow send may be repeated."""
    seconds = int(getattr(settings, "OUTBOX_CLAIM_LEASE_SECONDS", env_int("OUTBOX_CLAIM_LEASE_SECONDS", 300)))
    return timedelta(seconds=seconds)


def backoff_after(attempts: int) -> timedelta:
    """The wait before the next attempt, after `attempts` failed ones (1-based)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    # Due when read but claimed by another worker first (or its state moved on).
    skipped: list[int] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.sent) + len(self.retried) + len(self.dead)


def deliver_due(*, now: datetime, limit: int = 100) -> DeliveryReport:
    """Deliver up to `limit` pending rows whose `next_attempt_at` has passed, oldest first (a range scan on
    the (state, next_attempt_at) index). Safe to run on any number of workers at once."""
    due = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    return _deliver_rows(due, now=now, limit=limit)


def deliver_messages(ids: Iterable[int], *, now: datetime) -> DeliveryReport:
    """The after-commit path: deliver the given rows if they are still pending and due."""
    id_list = sorted({int(i) for i in ids})
    if not id_list:
        return DeliveryReport()
    due = OutboxMessage.objects.filter(
        pk__in=id_list, state=OutboxMessage.State.PENDING, next_attempt_at__lte=now
    ).order_by("id")
    return _deliver_rows(due, now=now, limit=len(id_list))


def _deliver_rows(due: QuerySet[OutboxMessage], *, now: datetime, limit: int) -> DeliveryReport:
    report = DeliveryReport()
    candidates = list(due.values_list("id", "attempts", "next_attempt_at")[:limit])
    for message_id, attempts, next_attempt_at in candidates:
        if not claim_message(message_id, attempts=attempts, next_attempt_at=next_attempt_at, now=now):
            report.skipped.append(message_id)
            continue
        outcome = _send_claimed(message_id, claimed_attempts=attempts + 1, now=now)
        getattr(report, outcome).append(message_id)
    return report


def claim_message(message_id: int, *, attempts: int, next_attempt_at: datetime, now: datetime) -> bool:
    """Compare-and-swap: take the row only if it is still pending, due, and unchanged since it was read
    (same attempts and next_attempt_at). Counts the attempt and hides the row for the lease. Commits on its
    own (durable): the send that follows must not run inside a transaction."""
    with transaction.atomic(durable=True):
        taken = OutboxMessage.objects.filter(
            pk=message_id,
            state=OutboxMessage.State.PENDING,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            next_attempt_at__lte=now,
        ).update(attempts=attempts + 1, next_attempt_at=now + claim_lease())
    return taken == 1


def _send_claimed(message_id: int, *, claimed_attempts: int, now: datetime) -> str:
    message = OutboxMessage.objects.select_related("recipient").get(pk=message_id)
    try:
        transports.transport_for(message.channel).send(message)
    except transports.TransportError as exc:
        return _record_failure(message_id, claimed_attempts, exc.detail, retryable=exc.retryable, now=now)
    except Exception as exc:
        # A bug in a transport: keep the row (retry, then dead letter), never kill the worker.
        logger.exception("transport for %s crashed on outbox message %s", message.channel, message_id)
        return _record_failure(
            message_id, claimed_attempts, f"{type(exc).__name__}: {exc}", retryable=True, now=now
        )
    _record_sent(message_id, now=now)
    return "sent"


def _record_sent(message_id: int, *, now: datetime) -> None:
    # Not guarded by the claim's attempt count: the message did go out, so even a worker whose lease ran
    # out (and whose row another worker re-claimed) records the truth.
    with transaction.atomic(durable=True):
        updated = OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.PENDING).update(
            state=OutboxMessage.State.SENT, sent_at=now
        )
    if not updated:
        logger.warning("outbox message %s was sent but had already left the pending state", message_id)


def _record_failure(
    message_id: int, claimed_attempts: int, detail: str, *, retryable: bool, now: datetime
) -> str:
    dead = not retryable or claimed_attempts >= max_attempts()
    changes: dict[str, object] = {"last_error": detail[:_ERROR_LIMIT]}
    if dead:
        changes["state"] = OutboxMessage.State.DEAD
    else:
        changes["next_attempt_at"] = now + backoff_after(claimed_attempts)
    with transaction.atomic(durable=True):
        # Guarded by the claim: if the lease ran out and another worker took the row, its outcome wins.
        updated = OutboxMessage.objects.filter(
            pk=message_id, state=OutboxMessage.State.PENDING, attempts=claimed_attempts
        ).update(**changes)
    if not updated:
        logger.warning("outbox message %s failed but its claim was lost: %s", message_id, detail)
        return "skipped"
    if dead:
        logger.error(
            "outbox message %s is a dead letter after %s attempt(s): %s", message_id, claimed_attempts, detail
        )
        return "dead"
    logger.warning(
        "outbox message %s failed (attempt %s), will retry: %s", message_id, claimed_attempts, detail
    )
    return "retried"


def requeue_dead_message(message_id: int, *, now: datetime) -> bool:
    """Dead letter → pending, due now, with a fresh attempt budget. Runs inside the caller's transaction
    (the requeue action, which audits it). False if the row is not (or no longer) a dead letter."""
    updated = OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.DEAD).update(
        state=OutboxMessage.State.PENDING, attempts=0, next_attempt_at=now
    )
    return updated == 1
