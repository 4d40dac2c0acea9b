"""Benchmark: the grid figures API (`/api/v1/grid/figures/`) of the district, a town and a village
in-process on a large history, answered from the division rollup (`LedgerRollupByDivision`) and, in the
same run, from the grid rollup it sums (`LedgerRollup`, what every figure read before), each beside a
warm `/healthz/` request. Prints median ms, queries, the rollup rows each answer sums, the ratio to
`/healthz/`, and whether the two answers are equal.

    DATABASE_URL=postgres://… [BENCH_DB=…] [BENCH_EVENTS=…] .venv/bin/python bench/bench_figures_rollup.py

The history is bench/history.py's (1 million events by default: BENCH_EVENTS=300000 builds a smaller
one), topped up, migrated and folded first unless BENCH_PREPARE=0; skipped without PostgreSQL."""

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

SCOPES = [("district", "320507"), ("town", "320507003"), ("village", "320507003001")]
PERIODS = {"30 days": None, "365 days": 365}  # None: the API's default (the last 30 days)


def timed(client: Any, path: str, runs: int) -> tuple[float, int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answer = client.get(path)  # warm-up: caches, plans
    assert answer.status_code == 200, (path, answer.status_code)
    samples = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            answer = client.get(path)
            samples.append(time.perf_counter() - started)
        assert answer.status_code == 200, path
        queries = len(captured.captured_queries)
    body = answer.json() if path != "/healthz/" else None
    return statistics.median(samples) * 1000, queries, body


def rows_summed(code: str, first: Any, end: Any) -> tuple[int, int]:
    """(division rollup rows, grid rollup rows) one answer over [first, end) sums."""
    from workflow.models import LedgerRollup, LedgerRollupByDivision

    period = {"process_name": "grid_event", "day__gte": first, "day__lt": end}
    return (
        LedgerRollupByDivision.objects.filter(division_code=code, **period).count(),
        LedgerRollup.objects.filter(territory_code__startswith=code, **period).count(),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_figures_rollup: skipped (set DATABASE_URL=postgres://… — measured on a large history)")
        return
    import history

    history.open_history()
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from workflow import rollups
    from workflow.models import LedgerRollup, LedgerRollupByDivision

    client = Client()
    client.force_login(User.objects.get(username="dispatcher"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM grid_gridevent")
        events = cursor.fetchone()[0]
    print(
        f"events: {events:,}; grid rollup rows: {LedgerRollup.objects.count():,}; "
        f"division rollup rows: {LedgerRollupByDivision.objects.count():,}"
    )
    today = timezone.localdate()
    base, base_queries, _ = timed(client, "/healthz/", args.runs * 5)
    print(f"/healthz/ {base:.1f} ms ({base_queries} queries, session middleware)")
    print(
        f"{'figures':28} {'rows':>7} {'ms':>7} {'q':>3} {'×healthz':>9} "
        f"{'grid rows':>10} {'ms':>7} {'q':>3} {'×healthz':>9} {'speed-up':>8}  equal"
    )
    levels: tuple[int, ...] = rollups.DIVISION_LEVELS
    for label, days in PERIODS.items():
        first = today - timedelta(days=(days or 30) - 1)
        for level, code in SCOPES:
            path = f"/api/v1/grid/figures/?level={level}&code={code}"
            if days is not None:
                path += f"&from={first.isoformat()}&to={today.isoformat()}"
            division_rows, grid_rows = rows_summed(code, first, today + timedelta(days=1))
            after, after_queries, after_body = timed(client, path, args.runs)
            rollups.DIVISION_LEVELS = ()  # every prefix sums the grid rollup, as before
            try:
                before, before_queries, before_body = timed(client, path, args.runs)
            finally:
                rollups.DIVISION_LEVELS = levels
            print(
                f"{level + ' ' + label:28} {division_rows:7,} {after:7.1f} {after_queries:3} "
                f"{after / base:9.1f} {grid_rows:10,} {before:7.1f} {before_queries:3} {before / base:9.1f} "
                f"{before / after:7.1f}×  {'yes' if after_body == before_body else 'NO'}"
            )


if __name__ == "__main__":
    main()
