"""Benchmark: the dispatch queues (`/grid/dispatch/<queue>/`) in-process on a large history, with the
open-queue indexes (workflow migration 0005_open_queue_indexes) and, in the same run, without them
(dropped inside a transaction that is rolled back: PostgreSQL DDL is transactional), each beside a
bare `/healthz/` request. Prints median ms, queries per page and the ratio to `/healthz/`.

    DATABASE_URL=postgres://… [BENCH_DB=…] .venv/bin/python bench/bench_dispatch_queue.py [--runs 5]

The history is bench/history.py's (1 million events by default, topped up and migrated first unless
BENCH_PREPARE=0); skipped without PostgreSQL."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")

QUEUES = ["review", "dispatch", "late", "verify"]
INDEXES = ["workitem_open_state_due_idx", "workitem_open_due_idx"]


def timed(client: Any, path: str, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm-up: caches, plans
    samples = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            assert client.get(path).status_code == 200, path
            samples.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return statistics.median(samples) * 1000, queries


def measure(client: Any, runs: int) -> dict[str, tuple[float, int]]:
    out = {}
    for queue in QUEUES:
        path = "/grid/dispatch/" if queue == "review" else f"/grid/dispatch/{queue}/"
        out[path] = timed(client, path, runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_dispatch_queue: skipped (set DATABASE_URL=postgres://… — measured on a large history)")
        return
    import history

    history.open_history()
    from django.db import connection, transaction
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="dispatcher"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM grid_gridevent")
        print(f"events: {cursor.fetchone()[0]:,}")
    after = measure(client, args.runs)
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in INDEXES:
                cursor.execute(f"DROP INDEX {name}")  # rolled back below
        before = measure(client, args.runs)
        transaction.set_rollback(True)
    base, base_queries = timed(client, "/healthz/", args.runs * 10)  # same process, warm
    print(f"/healthz/ {base:.1f} ms ({base_queries} queries, session middleware)")
    base_before = base_after = base
    print(f"{'page':28} {'without ms':>10} {'q':>3} {'×healthz':>9} {'with ms':>9} {'q':>3} {'×healthz':>9}")
    for path in after:
        (b, bq), (a, aq) = before[path], after[path]
        print(f"{path:28} {b:10.1f} {bq:3} {b / base_before:9.1f} {a:9.1f} {aq:3} {a / base_after:9.1f}")


if __name__ == "__main__":
    main()
