"""Benchmark: grid-event intake throughput — events per second, as a ratio to inserting the same rows with
plain SQL in the same run. Two paths are measured:

1. The BULK path (an import: a 12345 backlog, a legacy system's open events):
   `grid.events.bulk.do_report_events_bulk(rows, actor=dispatcher, now=...)` in batches of --batch
   (default 1,000) — every row validated in memory, all points located with one `locate_many`, the
   category standard looked up once per (category, area class), receipt numbers drawn in memory, phones
   encrypted + hashed; per batch ONE transaction: the events' ids reserved, the engine's
   `workflow.bulk.do_start_items_bulk` (work items in `reported` with deadlines, start transitions, one
   audit event), the events (written already linked to their items), the grid staff's outbox messages,
   one summary audit event; every large insert is `workflow.bulk.insert_rows`/`create_objects`, i.e.
   COPY … FROM STDIN on PostgreSQL and executemany on SQLite. Duplicate search is not run per row (see
   grid/events/report.py).
   Baseline: the rows the first (warm-up) batch wrote — events, work items, start transitions, outbox
   messages, the two audit rows — replayed per batch of the same size with plain SQL `executemany`
   (one INSERT statement per table per batch, ids assigned up front, one transaction per batch); on
   PostgreSQL also with plain COPY per table per batch (the stricter baseline, a second ratio).
   Besides wall-clock rates it prints the CPU seconds spent here and in the database server: on this
   shared 2-core machine other people's load moves the wall-clock figures a lot, the CPU ones little.
2. The SINGLE path (one call per event, as the API does it): `do_report_event` + `route` +
   `do_record_routing`, against the same rows inserted with plain SQL one event per transaction. Slow
   (~40–60 ms per event), so measured on a small N (--single, default 300).

Target (issue 4): ≥ 1,000 events/s on PostgreSQL on this 2-core machine and ratio ≥ 0.2, for 100,000
events. Default --events 20000 (100,000 on PostgreSQL takes ~6 min with the baseline and the single
path on this shared machine, too long for `make bench`; run with --events 100000 for the full figure —
the output says which N it used). --profile N profiles N more bulk events with cProfile.

Runs on a throwaway database: a temporary SQLite file by default, or a new database created next to
DATABASE_URL (PostgreSQL; dropped afterwards).
Usage: python bench/bench_grid_intake.py [--events N] [--batch B] [--single N] [--profile N]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import _setup  # noqa: E402  (bench/ is on the path when a script runs)


def setup_django() -> tuple[str, Any]:
    """The shared throwaway database, with the per-event info logs of intake silenced."""
    import logging

    vendor, cleanup = _setup.setup_django()
    for name in ("grid", "core.pii"):  # one info line per event would drown the figures
        logging.getLogger(name).setLevel(logging.WARNING)
    return vendor, cleanup


START = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
CATEGORIES = ["0102", "0103", "0104", "0201", "0402"]


def intake(i: int, rng: random.Random, system: Any, grid_worker: Any) -> None:
    from grid.events.report import do_report_event
    from grid.standards.actions import do_record_routing
    from grid.standards.routing import route

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
    "outbox.OutboxMessage",
    "grid.RoutingDecision",
)


def cpu_seconds() -> tuple[float, float]:
    """(this process's CPU time, the database server's for this connection): on a shared machine the
    wall-clock rates move with other people's load, the CPU seconds much less. The server's is read
    from /proc for the backend of this connection (PostgreSQL on this machine); 0 on SQLite."""
    from django.db import connection

    server = 0.0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:  # a server on another machine
            server = float("nan")
    return time.process_time(), server


def timed(run: Any) -> tuple[float, float, float]:
    """(wall, client CPU, server CPU) seconds of `run()`."""
    client, server = cpu_seconds()
    began = time.perf_counter()
    run()
    wall = time.perf_counter() - began
    client_after, server_after = cpu_seconds()
    return wall, client_after - client, server_after - server


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


def single(n: int, people: dict[str, Any]) -> None:
    """The per-event path against plain per-event INSERTs of the same rows."""
    if n <= 0:
        return
    system = people["system"]
    print(f"\nsingle path (do_report_event + routing, one transaction per event): {n:,} events", flush=True)
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
    print(f"  single path:   {path_rate:8.0f} events/s  ({1000 * path_seconds / n:.2f} ms each)")
    print(f"  plain inserts: {insert_rate:8.0f} events/s  ({1000 * insert_seconds / n:.2f} ms each)")
    print(f"  ratio single/plain (throughput): {path_rate / insert_rate:.3f}")
    print(f"  100k events through the single path would take {100_000 / path_rate / 60:.1f} min")


BULK_TABLES = (
    "workflow.WorkItem",
    "grid.GridEvent",
    "workflow.Transition",
    "outbox.OutboxMessage",
    "audit.AuditEvent",
)
DISPATCHER_CHANNELS = ("hotline", "referral", "dispatcher")


def bulk_rows(n: int, offset: int, rng: random.Random) -> list[dict[str, Any]]:
    """Import rows as a 12345 backlog looks: hotline/referral/dispatcher reports over 黄桥's two test grids
    ([120.55, 120.57) × [31.40, 31.41)), a third with a caller's phone number, a few by grid code."""
    rows = []
    for k in range(offset, offset + n):
        row: dict[str, Any] = {
            "channel": DISPATCHER_CHANNELS[k % 3],
            "category_code": CATEGORIES[k % len(CATEGORIES)],
            "description": f"第{k}号：路边有暴露垃圾",
            "address": f"黄桥街道测试路{k % 500}号",
        }
        if k % 10 == 9:
            row["grid_code"] = "320507003201002"
        else:
            row["lon"], row["lat"] = 120.55 + rng.random() * 0.02, 31.40 + rng.random() * 0.01
        if k % 3 == 0:
            row["reporter_phone"] = f"139{k % 100_000_000:08d}"
            row["reporter_name"] = "张先生"
        rows.append(row)
    return rows


def allocate_ids(table: str, count: int) -> list[int]:
    """`count` fresh ids of `table` in one query (the sequence on PostgreSQL, max+1… on SQLite)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        top = cursor.fetchone()[0]
        return list(range(top + 1, top + 1 + count))


def plain_bulk_inserts(
    batches: int, template: dict[str, tuple[list[str], list[list[Any]], list[int]]], *, copy: bool = False
) -> None:
    """The warm-up batch's rows replayed `batches` times with one executemany per table per batch (with
    `copy`, PostgreSQL only: one COPY … FROM STDIN per table per batch), ids assigned up front (one query
    per table per batch), the event → item and transition → item links remapped, unique values (receipt
    number, audit hash) varied; one transaction per batch."""
    from django.db import connection, transaction

    def insert(cursor: Any, table: str, rows: list[list[Any]]) -> None:
        if not copy:
            cursor.executemany(sql[table], rows)
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in ["id", *template[table][0]])
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as stream:
            for row in rows:
                stream.write_row(row)

    sql = {}
    for table, (columns, _, _) in template.items():
        quoted = ", ".join(connection.ops.quote_name(c) for c in ["id", *columns])
        marks = ", ".join(["%s"] * (len(columns) + 1))
        sql[table] = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608
    audits = 0
    with connection.cursor() as cursor:
        for b in range(batches):
            with transaction.atomic():
                _, item_rows, item_ids = template["workflow_workitem"]
                new_item_ids = allocate_ids("workflow_workitem", len(item_rows))
                item_map = dict(zip(item_ids, new_item_ids, strict=True))
                insert(
                    cursor,
                    "workflow_workitem",
                    [[i, *r] for i, r in zip(new_item_ids, item_rows, strict=True)],
                )
                for table in (
                    "grid_gridevent",
                    "workflow_transition",
                    "workflow_outboxmessage",
                    "audit_auditevent",
                ):
                    if table not in template:
                        continue
                    columns, rows, _ids = template[table]
                    ids = allocate_ids(table, len(rows))
                    out = []
                    for k, (new_id, row) in enumerate(zip(ids, rows, strict=True)):
                        row = list(row)
                        if table == "grid_gridevent":
                            row[columns.index("receipt_number")] = f"{'BC' if copy else 'BK'}{b:06d}{k:06d}"
                            row[columns.index("work_item_id")] = item_map[row[columns.index("work_item_id")]]
                        elif table == "workflow_transition":
                            row[columns.index("item_id")] = item_map[row[columns.index("item_id")]]
                        elif table == "audit_auditevent":
                            audits += 1
                            row[columns.index("hash")] = f"{'c' if copy else 'b'}{audits:063d}"
                        out.append([new_id, *row])
                    insert(cursor, table, out)


def bulk(vendor: str, args: Any, people: dict[str, Any]) -> None:
    from django.apps import apps
    from django.db import connection

    from grid.events.bulk import do_report_events_bulk

    n = args.events or 20_000
    size = args.batch
    note = "" if args.events else " (default; the issue's figure is for --events 100000)"
    print(f"grid intake benchmark on {vendor}", flush=True)
    print(f"bulk path (do_report_events_bulk, batches of {size:,}): {n:,} events{note}", flush=True)
    rng = random.Random(4)
    dispatcher = people["dispatcher"]
    now = START
    # Warm-up batch (not timed): the locate index, the published process; its rows are the baseline's.
    before = {
        label: apps.get_model(label).objects.order_by("-id").values_list("id", flat=True).first() or 0
        for label in BULK_TABLES
    }
    do_report_events_bulk(bulk_rows(size, 0, rng), actor=dispatcher, now=now, batch_size=size)
    template: dict[str, tuple[list[str], list[list[Any]], list[int]]] = {}
    for label in BULK_TABLES:
        model = apps.get_model(label)
        fields = [f for f in model._meta.concrete_fields if f.name != "id"]
        objs = list(model.objects.filter(id__gt=before[label]).order_by("id"))
        template[model._meta.db_table] = (
            [f.column for f in fields],
            [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] for o in objs],
            [o.pk for o in objs],
        )
    per_event = sum(len(rows) for _, rows, _ in template.values()) / size
    rows = bulk_rows(n, size, rng)

    def run_path() -> None:
        for start in range(0, n, size):
            # One call per batch (as an import job feeds it); the function would also batch a longer list.
            do_report_events_bulk(rows[start : start + size], actor=dispatcher, now=now, batch_size=size)

    batches = -(-n // size)
    path_seconds, path_client, path_server = timed(run_path)
    insert_seconds, insert_client, insert_server = timed(lambda: plain_bulk_inserts(batches, template))
    plain_events = batches * size
    counts = ", ".join(f"{t} {len(r)}" for t, (_, r, _) in template.items())
    print(f"  rows per batch of {size:,}: {counts} ({per_event:.2f} rows per event)")
    path_rate, insert_rate = n / path_seconds, plain_events / insert_seconds
    print(
        f"  bulk path:     {path_rate:8.0f} events/s  "
        f"({1000 * path_seconds / n:.3f} ms each, {path_seconds:.1f} s; "
        f"CPU {path_client:.1f} s here + {path_server:.1f} s database)"
    )
    print(
        f"  plain inserts: {insert_rate:8.0f} events/s  ({1000 * insert_seconds / plain_events:.3f} ms each, "
        f"{insert_seconds:.1f} s; CPU {insert_client:.1f} s here + {insert_server:.1f} s database; "
        "executemany per table per batch)"
    )
    ratio = path_rate / insert_rate
    verdict = "met" if path_rate >= 1000 and ratio >= 0.2 else "NOT met"
    print(f"  ratio bulk/plain (throughput): {ratio:.3f}   (target ≥ 0.2 and ≥ 1,000 events/s: {verdict})")
    if vendor == "postgresql":  # the stricter baseline: the same rows by COPY, the fastest plain insert
        copy_seconds, copy_client, copy_server = timed(
            lambda: plain_bulk_inserts(batches, template, copy=True)
        )
        copy_rate = plain_events / copy_seconds
        print(
            f"  plain COPY:    {copy_rate:8.0f} events/s  ({1000 * copy_seconds / plain_events:.3f} ms each, "
            f"{copy_seconds:.1f} s; CPU {copy_client:.1f} s here + {copy_server:.1f} s database); "
            f"ratio bulk/COPY {path_rate / copy_rate:.3f}"
        )
    if vendor == "postgresql" and path_server == path_server:  # not NaN
        cpu_rate = n / (path_client + path_server)
        plain_cpu_rate = plain_events / (insert_client + insert_server)
        print(
            f"  per CPU-second (client + database, what load by others does not move much): "
            f"bulk {cpu_rate:.0f} events, plain {plain_cpu_rate:.0f} events, "
            f"ratio {cpu_rate / plain_cpu_rate:.3f}"
        )
    print(f"  100k events through the bulk path in {100_000 / path_rate / 60:.1f} min")
    if args.profile:
        profiler = cProfile.Profile()
        extra = bulk_rows(args.profile, size + n, rng)
        profiler.enable()
        do_report_events_bulk(extra, actor=dispatcher, now=now, batch_size=size)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(f"\n  profile of {args.profile} more bulk events (cumulative):")
        print("\n".join("    " + line for line in out.getvalue().splitlines()[6:45]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=None, help="bulk-path events")
    parser.add_argument("--batch", type=int, default=1000, help="bulk batch size")
    parser.add_argument("--single", type=int, default=300, help="single-path events")
    parser.add_argument("--profile", type=int, default=0, help="profile N more bulk events")
    args = parser.parse_args()
    vendor, cleanup = setup_django()
    try:
        from accounts.testing import make_personas
        from grid.standards.actions import do_seed_reference
        from territory.testing import make_small_territory

        make_small_territory()
        people = make_personas()
        system = people["system"]
        do_seed_reference(actor=system, now=START - timedelta(days=1))
        bulk(vendor, args, people)
        single(args.single, people)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
