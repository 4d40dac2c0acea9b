"""Benchmark: the town leader's command desk figures with every module fed (grid + 审批服务 + 综合执法 +
党建引领 + 属地管理, command/indicators.py `figures`) against the same-run baseline of the grid figures
alone (what the desk computed before the other streams were connected), on the seeded demo district.
Prints each median / p95, the ratio to the baseline and the queries per desk.

The demo is seeded into a throwaway database (DEMO_HISTORY_EVENTS, default here 1000 grid events) and
every rollup folded, as the minutely job keeps them. Usage: python bench/bench_command_desk.py [--runs N]
       DATABASE_URL=postgres://… python bench/bench_command_desk.py"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import setup_django

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)
TOWN = "320507003"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(run: Any, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 0.95), len(queries.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DEMO_HISTORY_EVENTS", "1000")
    vendor, cleanup = setup_django()
    try:
        import time_machine

        from command import indicators as ind
        from command import streams
        from demo.seed import seed_demo
        from workflow.rollups import fold_all, registered

        started = time.perf_counter()
        with time_machine.travel(NOW, tick=False):
            seed_demo(now=NOW)
            print(f"{vendor}: demo seeded in {time.perf_counter() - started:.0f} s")
            # Fold what the seed's lag left (its last transitions), as the minutely job would: the desk
            # is then measured on folded rollups, not on a recomputed tail.
            for name in registered():
                fold_all(name, now=NOW + timedelta(minutes=5))
            last = NOW.date()
            first, end = last - timedelta(days=29), last + timedelta(days=1)

            def grid_only() -> None:
                for period in (
                    (first, end),
                    ind.previous_period(first, end),
                    ind.last_year_period(first, end),
                ):
                    ind.values_of(ind.counts(TOWN, *period))

            def streams_only() -> None:
                periods = [(first, end), ind.previous_period(first, end), ind.last_year_period(first, end)]
                streams.values_for(TOWN, periods)

            def desk() -> None:
                ind.figures(TOWN, first, end)

            base = measure(grid_only, args.runs)
            print(
                f"baseline grid figures ×3 periods: median {base[0]:.1f} ms, p95 {base[1]:.1f} ms, "
                f"{base[2]} queries"
            )
            for name, run in (("other streams ×3 periods", streams_only), ("whole desk (all modules)", desk)):
                median, p95, queries = measure(run, args.runs)
                print(
                    f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms, {queries} queries; "
                    f"ratio to baseline {median / base[0]:.2f}"
                )
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
