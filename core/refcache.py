"""Reference rows (categories, org units, grids, process versions) held in each process's memory, so that
list pages look them up by id instead of joining them into every list query. A saved or deleted row is
dropped at once in the process that changed it (signals); other processes see the change within `ttl`
seconds. Rows that never change (published process versions) use ttl=None."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models.signals import post_delete, post_save

M = TypeVar("M", bound=models.Model)

_ALL: list[RefCache[Any]] = []


class RefCache(Generic[M]):
    def __init__(self, model: type[M], *, ttl: float | None = 60.0, defer: tuple[str, ...] = ()) -> None:
        self.model = model
        self.ttl = ttl
        self.defer = defer
        self._rows: dict[Any, tuple[float, M]] = {}
        self._keys: dict[tuple[str, Any], Any] = {}  # (unique field, value) -> pk, checked on each use
        self._lock = threading.Lock()
        post_save.connect(self._dropped, sender=model, weak=False)
        post_delete.connect(self._dropped, sender=model, weak=False)
        _ALL.append(self)

    def _dropped(self, sender: Any, instance: M, **kwargs: Any) -> None:
        with self._lock:
            self._rows.pop(instance.pk, None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._keys.clear()

    def many(self, ids: Iterable[Any]) -> dict[Any, M]:
        """The rows with these ids (one query for those not held, none when all are)."""
        now = time.monotonic()
        found: dict[Any, M] = {}
        missing: set[Any] = set()
        for pk in ids:
            if pk is None or pk in found:
                continue
            held = self._rows.get(pk)
            if held is not None and (self.ttl is None or now - held[0] < self.ttl):
                found[pk] = held[1]
            else:
                missing.add(pk)
        if missing:
            queryset = self.model._default_manager.filter(pk__in=missing)
            if self.defer:
                queryset = queryset.defer(*self.defer)
            fetched = {row.pk: row for row in queryset}
            with self._lock:
                for pk, row in fetched.items():
                    self._rows[pk] = (now, row)
            found.update(fetched)
        return found

    def by(self, field: str, value: Any) -> M | None:
        """The row whose unique `field` equals `value`: from memory when held (and the held row still
        has that value), else one query; None when there is no such row."""
        pk = self._keys.get((field, value))
        if pk is not None:
            row = self.many([pk]).get(pk)
            if row is not None and getattr(row, field) == value:
                return row
        queryset = self.model._default_manager.filter(**{field: value})
        if self.defer:
            queryset = queryset.defer(*self.defer)
        found = queryset.first()
        if found is None:
            return None
        with self._lock:
            self._rows[found.pk] = (time.monotonic(), found)
            self._keys[(field, value)] = found.pk
        return found


def attach(objects: Iterable[models.Model], field_name: str, cache: RefCache[Any]) -> None:
    """Fill the forward relation `field_name` of each object from the cache (no query per row)."""
    objects = list(objects)
    field = objects[0]._meta.get_field(field_name) if objects else None
    if field is None:
        return
    attname = field.attname  # type: ignore[union-attr]
    rows = cache.many(getattr(obj, attname) for obj in objects)
    for obj in objects:
        field.set_cached_value(obj, rows.get(getattr(obj, attname)))  # type: ignore[union-attr]


def clear_all() -> None:
    """Forget every held row in this process (tests that count queries start from here)."""
    for cache in _ALL:
        cache.clear()
