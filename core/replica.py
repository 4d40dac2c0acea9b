"""Reads that may come from a read replica: dashboards and lists, which tolerate a replica's lag of a
second or so. A view opts in with `@replica_reads`; inside it, every read without an explicit
`using()` goes to the "replica" alias when REPLICA_READS is on (DATABASE_REPLICA_URL set). Writes, and
reads everywhere else (forms, actions, anything that must see its own write), stay on the primary."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings

F = TypeVar("F", bound=Callable[..., Any])
REPLICA = "replica"
_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_replica", default=False)


@contextmanager
def reading_replica() -> Iterator[None]:
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def replica_reads(view: F) -> F:
    """Mark a read-only view (a list, a dashboard): its reads may come from the replica."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for arg in args[:2]:  # the request (after `self` in a DRF method): its user from the primary
            if hasattr(arg, "user") and hasattr(arg, "method"):
                getattr(arg.user, "pk", None)
        with reading_replica():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ReplicaRouter:
    """Sends the reads of `replica_reads` views to the replica; everything else to the default."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if _reading_replica.get() and getattr(settings, "REPLICA_READS", False):
            return REPLICA
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        return db != REPLICA  # a replica is migrated by replication, never directly
