"""Background jobs of the notifications app, on huey: deliver the rows named by a committed transaction,
and every minute sweep whatever is due (a lost enqueue, a retry whose backoff has passed, a lapsed claim).

`build_delivery_tasks(huey)` registers the task code on any huey instance; the module-level tasks are the
ones registered on the project's huey (`settings.HUEY`: SqliteHuey embedded, RedisHuey scaled out), which
`manage.py run_huey` discovers here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, NamedTuple

from django.db import close_old_connections
from django.utils import timezone
from huey import crontab
from huey.api import Huey, TaskWrapper
from huey.contrib.djhuey import HUEY

from core.env import env_int
from notifications import delivery

logger = logging.getLogger("zhili.notifications")

# The sweep repeats while batches come back full, up to this many batches a minute.
SWEEP_MAX_BATCHES = 20


class DeliveryTasks(NamedTuple):
    deliver_outbox_messages: TaskWrapper
    deliver_due_outbox: TaskWrapper


def batch_size() -> int:
    from django.conf import settings

    return int(getattr(settings, "OUTBOX_BATCH_SIZE", env_int("OUTBOX_BATCH_SIZE", 100)))


def build_delivery_tasks(huey: Huey) -> DeliveryTasks:
    """Register the delivery tasks on `huey` and return them. Tests build a real SqliteHuey/RedisHuey and
    run these same functions under a real consumer."""

    def with_fresh_connections(fn: Callable[..., None]) -> Callable[..., None]:
        # A consumer's worker thread holds its own database connection; drop it when it is broken or too
        # old, like djhuey's db_task (not in immediate mode, where the caller's connection is used).
        @wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> None:
            if not huey.immediate:
                close_old_connections()
            try:
                fn(*args, **kwargs)
            finally:
                if not huey.immediate:
                    close_old_connections()

        return inner

    # Both tasks return None: huey keeps results until read, and nobody reads these.
    @huey.task(name="notifications.deliver_outbox_messages")
    @with_fresh_connections
    def deliver_outbox_messages(message_ids: list[int]) -> None:
        report = delivery.deliver_messages(message_ids, now=timezone.now())
        logger.info("delivered outbox %s: %s", message_ids, report)

    @huey.periodic_task(crontab(minute="*"), name="notifications.deliver_due_outbox")
    @with_fresh_connections
    def deliver_due_outbox() -> None:
        size = batch_size()
        for _ in range(SWEEP_MAX_BATCHES):
            report = delivery.deliver_due(now=timezone.now(), limit=size)
            if report.claimed or report.skipped:
                logger.info("outbox sweep: %s", report)
            if report.claimed + len(report.skipped) < size:
                break

    return DeliveryTasks(deliver_outbox_messages, deliver_due_outbox)


_tasks = build_delivery_tasks(HUEY)
deliver_outbox_messages = _tasks.deliver_outbox_messages
deliver_due_outbox = _tasks.deliver_due_outbox


def schedule_delivery(message_ids: Iterable[int]) -> None:
    """Enqueue delivery of committed outbox rows. Call after commit. A failed enqueue (the queue is down)
    is logged, not raised: the change has committed, and the minute sweep will deliver the rows."""
    ids = [int(i) for i in message_ids]
    if not ids:
        return
    try:
        deliver_outbox_messages(ids)
    except Exception:
        logger.exception("could not enqueue delivery of outbox messages %s; the sweep will pick them up", ids)
