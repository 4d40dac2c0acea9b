"""Benchmark: one escalation-sweeper pass over a big ledger, as a ratio to a bare indexed
`SELECT ... WHERE step_due_at <= now` of the same rows, measured in the same run.

Passes:
  C    100,000 open items,  1,000 overdue (1 %)
  B  1,000,000 open items,  1,000 overdue (10x the rows, same overdue count as C: should cost about C)
  A  1,000,000 open items, the other 9,000 overdue (1 % in all; should cost about 9x C)
B and A run on the same 1,000,000-row table: B at an earlier `now` that only 1,000 rows have passed.

A pass finds the overdue rows through the partial index, claims each with compare-and-swap and applies
the sample rule (督办 as the system actor: a Transition row, an audit event, outbox messages).

Runs on a throwaway database: a temporary SQLite file by default, or a new database created next to
DATABASE_URL (PostgreSQL; dropped afterwards). Bulk inserts use executemany (SQLite) or COPY (PostgreSQL).
Usage: python bench/bench_workflow_sweeper.py [--total 1000000 --overdue 10000 ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _setup import setup_django  # noqa: E402  (bench/ is on the path when a script runs)

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai

COLUMNS = [
    "process_version_id", "process_name", "title", "subject_type", "subject_id", "state", "territory_code",
    "assigned_unit_id", "assignee_id", "priority", "created_at", "updated_at", "closed_at", "due_at",
    "step_started_at", "step_unit", "step_limit_seconds", "step_due_at", "warn_at", "deadline_provisional",
    "due_provisional", "paused_at", "paused_seconds_total", "paused_remaining_seconds",
    "paused_due_remaining_seconds", "warned_at", "overdue_at", "sweep_failures", "sweep_retry_at",
    "last_sweep_error", "version", "limit_overrides",
]  # fmt: skip


EARLY = NOW - timedelta(days=1)
WARM = 50


def rows(
    total: int, overdue: int, version_id: int, unit_id: int, early: int = 0
) -> Iterator[tuple[Any, ...]]:
    """`overdue` rows already warned and past their step deadline (the first `early` of them already
    before EARLY); the rest due in the future."""
    step = 43.5 * 3600
    every = max(1, total // overdue) if overdue else total + 1
    made_overdue = 0
    for n in range(total):
        late = n % every == 0 and made_overdue < overdue
        made_overdue += late
        started = NOW - timedelta(days=20 if late else 1, seconds=n % 3600)
        if late:
            due = NOW - timedelta(days=2 if made_overdue <= early else 0, hours=1, seconds=n % 3600)
        else:
            due = NOW + timedelta(days=7, seconds=n % 86400)
        warn = due - timedelta(days=1)
        yield (
            version_id, "sample_complaint", f"事件{n}", "bench", str(n), "handling", "320507003201001",
            unit_id, None, 3, started, started, None, due + timedelta(days=10),
            started, "work_days", step, due, warn, False,
            False, None, 0.0, None,
            None, warn if late else None, None, 0, None,
            "", 2, "{}",
        )  # fmt: skip


def fill(total: int, overdue: int, version_id: int, unit_id: int, early: int = 0) -> float:
    from django.db import connection, transaction

    began = time.perf_counter()
    table = "workflow_workitem"
    if connection.vendor == "postgresql":
        raw = connection.connection
        if raw is None:
            connection.ensure_connection()
            raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows(total, overdue, version_id, unit_id, early):
                copy.write_row(row)
        raw.commit()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    else:
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608 - constants
        batch: list[tuple[Any, ...]] = []
        with transaction.atomic(), connection.cursor() as cursor:
            adapt = connection.ops.adapt_datetimefield_value  # the text form Django itself stores
            for row in rows(total, overdue, version_id, unit_id, early):
                batch.append(tuple(adapt(v) if isinstance(v, datetime) else v for v in row))
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - began


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE: tables of later contexts (grid events) point at work items; they are empty here.
            cursor.execute("TRUNCATE workflow_transition, workflow_outboxmessage, workflow_workitem CASCADE")
        else:
            for table in ("workflow_transition", "workflow_outboxmessage", "workflow_workitem"):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names


def bare_select(now: datetime) -> tuple[float, int]:
    """The baseline: the same rows through the same partial index, nothing else."""
    from django.db import connection

    sql = (
        "SELECT id, step_due_at FROM workflow_workitem"
        " WHERE overdue_at IS NULL AND step_due_at <= %s ORDER BY step_due_at"
    )
    best, count = float("inf"), 0
    for _ in range(3):
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [now])
            count = len(cursor.fetchall())
        best = min(best, time.perf_counter() - began)
    return best, count


WRITTEN = ("workflow_transition", "audit_auditevent", "workflow_outboxmessage")


def top_ids() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in WRITTEN:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - fixed table names
            out[table] = int(cursor.fetchone()[0])
    return out


def bulk_baseline(before: dict[str, int], item_ids: list[int]) -> tuple[float, int]:
    """The escalation's own rows written in bulk: the rows the pass just wrote — the work items' new
    column values, and copies of its transitions, audit rows and outbox messages — replayed in ONE
    transaction with one `executemany` per table (the items as one UPDATE statement executed for every
    row, the others as INSERTs with fresh ids from the table's sequence), then rolled back. Returns
    (seconds, rows written)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM workflow_workitem WHERE id IN (SELECT unnest(%s::bigint[]))"
            if connection.vendor == "postgresql"
            else f"SELECT * FROM workflow_workitem WHERE id IN ({', '.join(map(str, item_ids))})",  # noqa: S608
            [item_ids] if connection.vendor == "postgresql" else None,
        )
        item_columns = [c[0] for c in cursor.description]
        items = cursor.fetchall()
        captured = {}
        for table in WRITTEN:
            cursor.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id", [before[table]])  # noqa: S608
            columns = [c[0] for c in cursor.description]
            captured[table] = (columns, cursor.fetchall())
    sets = [c for c in item_columns if c != "id"]
    update = f"UPDATE workflow_workitem SET {', '.join(f'{c} = %s' for c in sets)} WHERE id = %s"  # noqa: S608
    item_rows = [
        [*(row[item_columns.index(c)] for c in sets), row[item_columns.index("id")]] for row in items
    ]
    inserts = []
    for table, (columns, found) in captured.items():
        others = [c for c in columns if c != "id"]
        sql = f"INSERT INTO {table} ({', '.join(others)}) VALUES ({', '.join(['%s'] * len(others))})"  # noqa: S608
        rows = []
        for k, row in enumerate(found):
            values = [row[columns.index(c)] for c in others]
            if table == "audit_auditevent":
                values[others.index("hash")] = f"b{k:063d}"
            rows.append([_adapt(v) for v in values])
        inserts.append((sql, rows))
    item_rows = [[_adapt(v) for v in row] for row in item_rows]
    written = len(item_rows) + sum(len(rows) for _, rows in inserts)
    began = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.executemany(update, item_rows)
                for sql, rows in inserts:
                    if rows:
                        cursor.executemany(sql, rows)
            seconds = time.perf_counter() - began
            raise _RollBack
    except _RollBack:
        pass
    return seconds, written


class _RollBack(Exception):
    pass


def _adapt(value: Any) -> Any:
    """Values read back raw (SQLite: JSON as text, datetimes as text; PostgreSQL: dicts for jsonb)."""
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def measure(label: str, total: int, now: datetime, expected: int, fill_seconds: float) -> dict[str, Any]:
    from workflow.sweeper import due_for_overdue, sweep

    select_seconds, selected = bare_select(now)
    item_ids = [pk for pk, _ in due_for_overdue(now, total)]
    before = top_ids()
    began = time.perf_counter()
    report = sweep(now=now, batch=total)
    sweep_seconds = time.perf_counter() - began
    assert report.overdue == expected == selected, (report, selected)
    assert report.escalated == expected and report.failed == 0
    bulk_seconds, written = bulk_baseline(before, item_ids)
    result: dict[str, Any] = {
        "label": label,
        "sweep_s": sweep_seconds,
        "select_s": select_seconds,
        "ratio": sweep_seconds / select_seconds,
        "per_row_ms": 1000 * sweep_seconds / expected,
        "bulk_per_row_ms": 1000 * bulk_seconds / expected,
    }
    print(
        f"  {label}: {total:>9,} items, {expected:>6,} overdue | fill {fill_seconds:6.1f} s | "
        f"bare SELECT {select_seconds * 1000:8.1f} ms | sweep pass {sweep_seconds:7.2f} s "
        f"({result['per_row_ms']:.2f} ms per overdue row) | ratio sweep/SELECT {result['ratio']:,.0f}x | "
        f"its {written:,} rows in bulk {bulk_seconds * 1000:.0f} ms ({result['bulk_per_row_ms']:.3f} ms per "
        f"overdue row): {sweep_seconds / bulk_seconds:.2f}x",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--overdue", type=int, default=10_000)
    parser.add_argument("--small-total", type=int, default=100_000)
    args = parser.parse_args()
    vendor, cleanup = setup_django()
    try:
        from django.utils import timezone

        from accounts.models import OrgUnit
        from accounts.testing import make_personas
        from territory.testing import make_small_territory
        from workflow.publishing import current_version
        from workflow.sweeper import sweep

        make_small_territory()
        make_personas()
        version = current_version("sample_complaint", now=timezone.now())
        unit_id = OrgUnit.objects.get(code="320507003-urban").pk
        print(f"workflow sweeper benchmark on {vendor}", flush=True)
        small_overdue = max(1, args.overdue * args.small_total // args.total)
        empty_tables()
        # A warm-up pass first (WARM rows overdue since before EARLY): a running consumer's process caches
        # (the pinned definition, units, users) are warm; a cold first pass would not compare with B.
        seconds = fill(args.small_total, small_overdue + WARM, version.pk, unit_id, early=WARM)
        warm = sweep(now=EARLY, batch=WARM)
        assert warm.escalated == WARM, warm
        c = measure("C", args.small_total, NOW, small_overdue, seconds)
        empty_tables()
        seconds = fill(args.total, args.overdue, version.pk, unit_id, early=small_overdue)
        b = measure("B", args.total, EARLY, small_overdue, seconds)
        a = measure("A", args.total, NOW, args.overdue - small_overdue, 0.0)
        print(f"  pass time B/C (same overdue count, 10x the rows): {b['sweep_s'] / c['sweep_s']:.2f}")
        times = (args.overdue - small_overdue) / small_overdue
        print(f"  pass time A/C ({times:.0f}x the overdue rows): {a['sweep_s'] / c['sweep_s']:.2f}")
        print(f"  cost per overdue row A/C: {a['per_row_ms'] / c['per_row_ms']:.2f}")
        flat = b["sweep_s"] / c["sweep_s"]
        print(
            f"  target: pass time flat (±20 %) at 10x the table: B/C = {flat:.2f} — "
            f"{'met' if 0.8 <= flat <= 1.2 else 'NOT met'}"
        )
        for r in (c, a):
            times_bulk = r["per_row_ms"] / r["bulk_per_row_ms"]
            print(
                f"  target: per overdue row ≤ 3x its rows written in bulk ({r['label']}): "
                f"{r['per_row_ms']:.3f} / {r['bulk_per_row_ms']:.3f} ms = {times_bulk:.2f}x — "
                f"{'met' if times_bulk <= 3 else 'NOT met'}"
            )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
