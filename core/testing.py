"""Test helpers shared by the apps: small real images (uploads are decoded, so fake bytes no longer
pass), the queries one request makes from cold process caches, and a real huey consumer in a thread."""

from __future__ import annotations

import copy
import io
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, connections
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from huey.api import Huey
from huey.consumer import Consumer
from PIL import Image

from core import refcache


def image_bytes(kind: str = "JPEG", *, size: tuple[int, int] = (8, 6), exif_gps: bool = False) -> bytes:
    """A tiny image in Pillow format `kind` (JPEG, PNG, WEBP); with exif_gps, a GPS block and a camera
    model in its EXIF, as a phone writes them."""
    image = Image.new("RGB", size, (120, 160, 200))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x0110] = "Zhili Phone X"  # Model
        exif[0x8825] = {1: "N", 2: (31.0, 24.0, 18.0), 3: "E", 4: (120.0, 33.0, 18.0)}  # GPSInfo
        image.save(out, kind, exif=exif.tobytes())
    else:
        image.save(out, kind)
    return out.getvalue()


def queries_of(call: Callable[[], Any]) -> tuple[list[str], Any]:
    """(the SQL of each query `call` made, its result), starting with empty reference caches (each
    measured request fills the reference caches itself, so two requests over different numbers of rows
    compare like for like)."""
    refcache.clear_all()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return [q["sql"] for q in captured.captured_queries], result


# Replayed fixtures: the rows a costly fixture writes (a seeded reference, published definitions) are
# recorded the first time it runs in a test process and inserted again, ids and all, by the next test
# that starts from the same database. Tests roll back, so each finds the database as the session base
# left it; a test that wrote something first, or a rebuilt base, gets the fixture built for real.


@dataclass
class _Recording:
    state: dict[str, int]
    rows: list[tuple[str, list[tuple[Any, ...]]]]
    result: Any


_RECORDINGS: dict[Hashable, _Recording] = {}


def forget_replays() -> None:
    """The database under the recordings changed (a flushed and rebuilt session base): record anew."""
    _RECORDINGS.clear()


def _tables() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _has_integer_key(model: type[Model]) -> bool:
    return model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField"}


def _column(field: Any) -> str:
    column: str | None = field.column
    assert column is not None  # concrete fields have a column
    return column


def _database_state() -> dict[str, int]:
    """Per table the highest id (tables with integer ids) or the row count (the others): one query."""
    quote = connection.ops.quote_name
    parts = []
    for model in _tables():
        table = quote(model._meta.db_table)
        if _has_integer_key(model):
            measure = f"COALESCE(MAX({quote(_column(model._meta.pk))}), 0)"
        else:
            measure = "COUNT(*)"
        parts.append(f"SELECT '{model._meta.db_table}', {measure} FROM {table}")  # noqa: S608 (our tables)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {name: int(value) for name, value in cursor.fetchall()}


def _record(before: dict[str, int], after: dict[str, int]) -> list[tuple[str, list[tuple[Any, ...]]]] | None:
    """Per table that grew, an INSERT statement and the new rows' values as the database takes them."""
    quote = connection.ops.quote_name
    statements = []
    for model in _tables():
        table = model._meta.db_table
        if after[table] == before[table]:
            continue
        if not _has_integer_key(model):
            return None  # rows we cannot tell apart from the base's: never replayed
        fields = list(model._meta.local_concrete_fields)
        found = model._base_manager.filter(pk__gt=before[table]).order_by("pk")
        params = [
            tuple(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields)
            for obj in found
        ]
        columns = ", ".join(quote(_column(field)) for field in fields)
        marks = ", ".join(["%s"] * len(fields))
        statements.append((f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})", params))  # noqa: S608
    return statements


def _insert(statements: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.executemany(sql, params)


def replayed(key: Hashable, build: Callable[[], Any]) -> Any:
    """`build()`'s result; its rows inserted again when this process has recorded them on the same
    database state. `key` names the build with every input that changes what it writes. A build that
    queues work for after the commit, or writes rows without integer ids, always runs for real."""
    before = _database_state()
    recording = _RECORDINGS.get(key)
    if recording is not None and recording.state == before:
        _insert(recording.rows)
        refcache.clear_all()
        return copy.deepcopy(recording.result)
    queued = len(connection.run_on_commit)
    result = build()
    if recording is None and len(connection.run_on_commit) == queued:
        rows = _record(before, _database_state())
        if rows is not None:
            _RECORDINGS[key] = _Recording(before, rows, copy.deepcopy(result))
    return result


# ------------------------------------------------------------------------------ a real huey consumer

DEADLINE_SECONDS = 15


class ThreadConsumer(Consumer):
    """The stock consumer, minus signal handlers (Python only lets the main thread install them)."""

    def _set_signal_handlers(self) -> None:
        pass


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll a condition until it holds, failing after a bounded deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {DEADLINE_SECONDS}s waiting for {what}")
        time.sleep(0.02)


class RunningConsumer:
    """`with RunningConsumer(huey):` the stock huey consumer on `huey` in a background thread (thread
    workers, no periodic tasks), stopped gracefully on exit. Its workers use their own database
    connections, so what they read must be committed (transactional tests)."""

    def __init__(self, huey: Huey):
        self.huey = huey
        # Each worker thread closes its own database connections when it stops (PostgreSQL would
        # otherwise refuse to drop the test database).
        huey.on_shutdown("close_db")(connections.close_all)
        self.consumer = ThreadConsumer(
            huey,
            workers=2,
            worker_type="thread",
            periodic=False,
            check_worker_health=False,
            initial_delay=0.02,
            max_delay=0.1,
        )
        self.thread = threading.Thread(target=self.consumer.run, name="huey-consumer", daemon=True)

    def __enter__(self) -> RunningConsumer:
        self.thread.start()
        # run() starts the scheduler and the workers one by one: stopping before the last has started
        # would join a thread that never ran (a busy machine makes that window real).
        started = [self.consumer.scheduler, *(t for _, t in self.consumer.worker_threads)]
        wait_for(lambda: all(t.ident is not None for t in started), "the consumer's threads to start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.consumer.stop(graceful=True)
        self.thread.join(timeout=DEADLINE_SECONDS)
        assert not self.thread.is_alive(), "consumer did not stop"
