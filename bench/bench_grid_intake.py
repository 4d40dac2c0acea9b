"""Benchmark: grid-event intake throughput — events per second through the whole path, as a ratio to
inserting the same rows with plain SQL in the same run.

The path per event (one call each, in its own transaction, as the API does it):
  `grid.event_actions.do_report_event` — validate, locate the grid from lon/lat (territory.locate),
  pin the category standard, create the event and its work item with deadlines from the work calendar
  (workflow.engine.do_start_item: work item, Transition, audit row), the event's audit row, the outbox
  messages to the grid's staff, the duplicate-candidate search —
  then `grid.routing.route` + `grid.actions.do_record_routing` (the routing decision the dispatcher's
  `file` would record), so the path is validate → locate → route → work item with deadlines → audit →
  outbox.
The baseline: the same rows (event, work item, transition, two audit rows, outbox message, routing
decision) written with plain SQL INSERTs, one transaction per event, in the same run.

Target (issue 4): ≥ 1,000 events/s on PostgreSQL on this 2-core machine and ratio ≥ 0.2, for 100,000
events. The per-event path is far slower than that (see the printed estimate), so the default is smaller:
--events 3000 on PostgreSQL and 2000 on SQLite (100,000 would take the time printed as "100k in").
--profile N profiles N more events with cProfile and prints the top functions.

Runs on a throwaway database: a temporary SQLite file by default, or a new database created next to
DATABASE_URL (PostgreSQL; dropped afterwards).
Usage: python bench/bench_grid_intake.py [--events N] [--profile N]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django() -> tuple[str, Any]:
    """Point Django at a throwaway database and migrate it. Returns (vendor label, cleanup)."""
    tmp = tempfile.mkdtemp(prefix="zhili-bench-")
    os.environ["ZHILI_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    base_url = os.environ.get("DATABASE_URL", "")
    cleanup: Any = lambda: None  # noqa: E731
    if base_url.startswith("postgres"):
        import psycopg

        name = f"zhili_bench_{os.getpid()}"
        with psycopg.connect(base_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = base_url.rsplit("/", 1)[0] + "/" + name

        def cleanup() -> None:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(base_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')

    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor, cleanup


START = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
CATEGORIES = ["0102", "0103", "0104", "0201", "0402"]


def intake(i: int, rng: random.Random, system: Any, grid_worker: Any) -> None:
    from grid.actions import do_record_routing
    from grid.event_actions import do_report_event
    from grid.routing import route

    resident = i % 2 == 0
    event = do_report_event(
        actor=None if resident else grid_worker,
        now=START + timedelta(seconds=i),
        channel="resident_web" if resident else "patrol",
        category_code=CATEGORIES[i % len(CATEGORIES)],
        description=f"第{i}号：路边有暴露垃圾",
        # 黄桥's two test grids: [120.55, 120.57) × [31.40, 31.41); the worker's grid is the first.
        # Event 0 (the warm-up, whose rows the baseline replays) lies in the worker's grid: one message.
        lon=(120.55 + rng.random() * 0.02) if resident and i else 120.555,
        lat=31.40 + rng.random() * 0.01,
    )
    result = route(event.category.code, grid_code=event.grid_id, kind=event.kind)
    do_record_routing(
        result, subject_type="grid.gridevent", subject_id=str(event.pk), actor=system, now=event.reported_at
    )


TABLES = (
    "workflow.WorkItem",
    "grid.GridEvent",
    "workflow.Transition",
    "audit.AuditEvent",
    "workflow.OutboxMessage",
    "grid.RoutingDecision",
)


def max_ids() -> dict[str, int]:
    from django.apps import apps
    from django.db.models import Max

    return {label: apps.get_model(label).objects.aggregate(m=Max("id"))["m"] or 0 for label in TABLES}


def captured_rows(before: dict[str, int], after: dict[str, int]) -> list[tuple[str, list[str], list[Any]]]:
    """The rows one intake wrote, as (table, columns, prepared values), in the order of TABLES."""
    from django.apps import apps
    from django.db import connection

    rows = []
    for label in TABLES:
        model = apps.get_model(label)
        fields = [f for f in model._meta.concrete_fields if f.name != "id"]
        for obj in model.objects.filter(id__gt=before[label], id__lte=after[label]).order_by("id"):
            values = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
            rows.append((model._meta.db_table, [f.column for f in fields], values))
    return rows


def plain_inserts(n: int, rows: list[tuple[str, list[str], list[Any]]]) -> None:
    """The same rows as one intake wrote, replayed n times with plain SQL INSERTs (SQL text built once),
    one transaction per event; unique values (receipt number, audit hash) and the event → work item link
    are varied per copy."""
    from django.db import connection, transaction

    statements = []
    for table, columns, values in rows:
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608
        if connection.vendor == "postgresql":
            sql += " RETURNING id"
        statements.append((table, columns, sql, values))
    audits = 0
    with connection.cursor() as cursor:
        for k in range(n):
            with transaction.atomic():
                item_id = None
                for table, columns, sql, values in statements:
                    row = list(values)
                    if table == "grid_gridevent":
                        row[columns.index("receipt_number")] = f"BL{k:012d}"
                        row[columns.index("work_item_id")] = item_id
                    if table == "audit_auditevent":
                        audits += 1
                        row[columns.index("hash")] = f"{audits:064d}"
                    if table == "workflow_transition":
                        row[columns.index("item_id")] = item_id
                    cursor.execute(sql, row)
                    new_id = cursor.lastrowid if connection.vendor == "sqlite" else cursor.fetchone()[0]
                    if table == "workflow_workitem":
                        item_id = new_id


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--profile", type=int, default=300)
    args = parser.parse_args()
    vendor, cleanup = setup_django()
    try:
        from accounts.testing import make_personas
        from grid.actions import do_seed_reference
        from territory.testing import make_small_territory

        make_small_territory()
        people = make_personas()
        system = people["system"]
        do_seed_reference(actor=system, now=START - timedelta(days=1))
        n = args.events or (3000 if vendor == "postgresql" else 2000)
        default_note = "" if args.events else " (default: 100,000 would take too long per event; see below)"
        print(f"grid intake benchmark on {vendor}: {n:,} events{default_note}", flush=True)
        rng = random.Random(4)

        before = max_ids()
        intake(0, rng, system, people["hq_grid"])  # warm-up: the locate index, the published process
        rows = captured_rows(before, max_ids())
        began = time.perf_counter()
        for i in range(1, n + 1):
            intake(i, rng, system, people["hq_grid"])
        path_seconds = time.perf_counter() - began

        began = time.perf_counter()
        plain_inserts(n, rows)
        insert_seconds = time.perf_counter() - began
        tables = sorted({table for table, _, _ in rows})
        print(f"  rows per event: {len(rows)} ({', '.join(tables)})")

        path_rate, insert_rate = n / path_seconds, n / insert_seconds
        print(f"  intake path:   {path_rate:8.0f} events/s  ({1000 * path_seconds / n:.2f} ms each)")
        print(f"  plain inserts: {insert_rate:8.0f} events/s  ({1000 * insert_seconds / n:.2f} ms each)")
        print(f"  ratio path/plain (throughput): {path_rate / insert_rate:.3f}   (target ≥ 0.2)")
        print(
            f"  100k events through the path in {100_000 / path_rate / 60:.1f} min (target ≥ 1,000 events/s)"
        )

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for i in range(n + 1, n + 1 + args.profile):
                intake(i, rng, system, people["hq_grid"])
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(25)
            print(f"\n  profile of {args.profile} more events (cumulative):")
            print("\n".join("    " + line for line in out.getvalue().splitlines()[6:40]))
    finally:
        cleanup()


if __name__ == "__main__":
    main()
