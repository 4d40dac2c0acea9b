"""Benchmark: one escalation-sweeper pass over a big ledger, as a ratio to a bare indexed
`SELECT ... WHERE step_due_at <= now` of the same rows, measured in the same run.

Scenarios (each on a freshly filled table):
  A  1,000,000 open items, 10,000 overdue (1 %)
  B    100,000 open items, 10,000 overdue (same overdue count as A: the pass should cost the same)
  C    100,000 open items,  1,000 overdue (1 %: the pass should cost about a tenth of A)

A pass finds the overdue rows through the partial index, claims each with compare-and-swap and applies
the sample rule (督办 as the system actor: a Transition row, an audit event, outbox messages).

Runs on a throwaway database: a temporary SQLite file by default, or a new database created next to
DATABASE_URL (PostgreSQL; dropped afterwards). Bulk inserts use executemany (SQLite) or COPY (PostgreSQL).
Usage: python bench/bench_workflow_sweeper.py [--total 1000000 --overdue 10000 ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
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


NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai

COLUMNS = [
    "process_version_id", "process_name", "title", "subject_type", "subject_id", "state", "territory_code",
    "assigned_unit_id", "assignee_id", "priority", "created_at", "updated_at", "closed_at", "due_at",
    "step_started_at", "step_unit", "step_limit_seconds", "step_due_at", "warn_at", "deadline_provisional",
    "due_provisional", "paused_at", "paused_seconds_total", "paused_remaining_seconds",
    "paused_due_remaining_seconds", "warned_at", "overdue_at", "sweep_failures", "sweep_retry_at",
    "last_sweep_error", "version",
]  # fmt: skip


def rows(total: int, overdue: int, version_id: int, unit_id: int) -> Iterator[tuple[Any, ...]]:
    """`overdue` rows already warned and past their step deadline; the rest due in the future."""
    step = 43.5 * 3600
    every = max(1, total // overdue) if overdue else total + 1
    made_overdue = 0
    for n in range(total):
        late = n % every == 0 and made_overdue < overdue
        made_overdue += late
        started = NOW - timedelta(days=20 if late else 1, seconds=n % 3600)
        due = (
            NOW - timedelta(hours=1, seconds=n % 3600) if late else NOW + timedelta(days=7, seconds=n % 86400)
        )
        warn = due - timedelta(days=1)
        yield (
            version_id, "sample_complaint", f"事件{n}", "bench", str(n), "handling", "320507003201001",
            unit_id, None, 3, started, started, None, due + timedelta(days=10),
            started, "work_days", step, due, warn, False,
            False, None, 0.0, None,
            None, warn if late else None, None, 0, None,
            "", 2,
        )  # fmt: skip


def fill(total: int, overdue: int, version_id: int, unit_id: int) -> float:
    from django.db import connection, transaction

    began = time.perf_counter()
    table = "workflow_workitem"
    if connection.vendor == "postgresql":
        raw = connection.connection
        if raw is None:
            connection.ensure_connection()
            raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows(total, overdue, version_id, unit_id):
                copy.write_row(row)
        raw.commit()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    else:
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608 - constants
        batch: list[tuple[Any, ...]] = []
        with transaction.atomic(), connection.cursor() as cursor:
            for row in rows(total, overdue, version_id, unit_id):
                batch.append(row)
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
            cursor.execute("TRUNCATE workflow_transition, workflow_outboxmessage, workflow_workitem")
        else:
            for table in ("workflow_transition", "workflow_outboxmessage", "workflow_workitem"):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names


def bare_select() -> tuple[float, int]:
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
            cursor.execute(sql, [NOW])
            count = len(cursor.fetchall())
        best = min(best, time.perf_counter() - began)
    return best, count


def scenario(label: str, total: int, overdue: int, version_id: int, unit_id: int) -> dict[str, Any]:
    from workflow.sweeper import sweep

    empty_tables()
    fill_seconds = fill(total, overdue, version_id, unit_id)
    select_seconds, selected = bare_select()
    began = time.perf_counter()
    report = sweep(now=NOW, batch=total)
    sweep_seconds = time.perf_counter() - began
    assert report.overdue == overdue == selected, (report, selected)
    assert report.escalated == overdue and report.failed == 0
    result = {
        "label": label,
        "total": total,
        "overdue": overdue,
        "fill_s": fill_seconds,
        "select_s": select_seconds,
        "sweep_s": sweep_seconds,
        "ratio": sweep_seconds / select_seconds,
        "per_row_ms": 1000 * sweep_seconds / overdue,
    }
    print(
        f"  {label}: {total:>9,} items, {overdue:>6,} overdue | fill {fill_seconds:6.1f} s | "
        f"bare SELECT {select_seconds * 1000:8.1f} ms | sweep pass {sweep_seconds:7.2f} s "
        f"({result['per_row_ms']:.2f} ms per overdue row) | ratio sweep/SELECT {result['ratio']:,.0f}×",
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

        make_small_territory()
        make_personas()
        version = current_version("sample_complaint", now=timezone.now())
        unit_id = OrgUnit.objects.get(code="320507003-urban").pk
        print(f"workflow sweeper benchmark on {vendor}", flush=True)
        small_share = max(1, args.overdue * args.small_total // args.total)
        results = [
            scenario("C", args.small_total, small_share, version.pk, unit_id),
            scenario("B", args.small_total, min(args.overdue, args.small_total), version.pk, unit_id),
            scenario("A", args.total, args.overdue, version.pk, unit_id),
        ]
        a, b, c = results[2], results[1], results[0]
        print(f"  pass time A/B (same overdue, 10× the rows): {a['sweep_s'] / b['sweep_s']:.2f}")
        print(f"  pass time A/C (10× the overdue, 10× the rows): {a['sweep_s'] / c['sweep_s']:.2f}")
        print(f"  bare SELECT A/B: {a['select_s'] / b['select_s']:.2f}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
