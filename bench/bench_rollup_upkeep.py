"""Benchmark: what keeping the ledger rollup costs event intake (issue 10: "rollup upkeep must not cut
event intake by more than 10 %"). The rollup is not written on the request path: the per-minute job
(workflow/tasks.py `fold_ledger_rollup`) folds the transitions written since its cursor into
`LedgerRollup` and `LedgerRollupByDivision`. On one machine that work competes with intake for the same
cores and the same database, so the share of intake it costs is

    kept = intake seconds / (intake seconds + fold seconds for the transitions that intake wrote)

measured in the same run, for the two intake paths of bench_grid_intake.py: the SINGLE path (one report
per transaction, as the API and the pages take it: `do_report_event` + routing) and the BULK path
(`do_report_events_bulk` in batches, as an import takes it). Target: kept ≥ 0.90 on both. The fold is
timed as the job runs it: `rollups.fold` in its batches until nothing waits, once per process with a
contributor, after the intake (the transitions are then older than the fold's lag).

Runs on a throwaway database: a temporary SQLite file by default, or a new database created next to
DATABASE_URL (PostgreSQL; dropped afterwards).
Usage: python bench/bench_rollup_upkeep.py [--single N] [--events N] [--batch B]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta
from typing import Any

import bench_grid_intake as intake_bench  # bench/ is on the path when a script runs

TARGET = 0.90


def fold_everything(now: Any) -> tuple[int, float]:
    """(transitions folded, seconds) of folding every process's waiting transitions."""
    from workflow import rollups

    began = time.perf_counter()
    folded = sum(rollups.fold_all(name, now=now) for name in rollups.registered())
    return folded, time.perf_counter() - began


def report(path: str, events: int, intake_seconds: float, folded: int, fold_seconds: float) -> float:
    kept = intake_seconds / (intake_seconds + fold_seconds)
    verdict = "meets" if kept >= TARGET else "misses"
    print(f"{path}: {events:,} events in {intake_seconds:.2f} s ({events / intake_seconds:,.0f} events/s)")
    print(
        f"  fold: {folded:,} transitions in {fold_seconds:.3f} s "
        f"({1000 * fold_seconds / max(folded, 1):.3f} ms per transition)"
    )
    print(f"  intake kept with the rollup's upkeep: {kept:.3f} ({verdict} the {TARGET:.2f} target)")
    return kept


def single(n: int, people: dict[str, Any]) -> float:
    rng = random.Random(10)
    system, worker = people["system"], people["hq_grid"]
    intake_bench.intake(0, rng, system, worker)  # warm-up: the locate index, the published process
    fold_everything(intake_bench.START + timedelta(days=1))
    began = time.perf_counter()
    for i in range(1, n + 1):
        intake_bench.intake(i, rng, system, worker)
    seconds = time.perf_counter() - began
    folded, fold_seconds = fold_everything(intake_bench.START + timedelta(days=1))
    return report("single path", n, seconds, folded, fold_seconds)


def bulk(n: int, size: int, people: dict[str, Any]) -> float:
    from grid.events.bulk import do_report_events_bulk

    rng = random.Random(11)
    dispatcher, now = people["dispatcher"], intake_bench.START + timedelta(days=2)
    do_report_events_bulk(intake_bench.bulk_rows(size, 0, rng), actor=dispatcher, now=now, batch_size=size)
    fold_everything(now + timedelta(days=1))
    rows = intake_bench.bulk_rows(n, size, rng)
    began = time.perf_counter()
    for start in range(0, n, size):
        do_report_events_bulk(rows[start : start + size], actor=dispatcher, now=now, batch_size=size)
    seconds = time.perf_counter() - began
    folded, fold_seconds = fold_everything(now + timedelta(days=1))
    return report(f"bulk path (batches of {size:,})", n, seconds, folded, fold_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--single", type=int, default=300, help="single-path events")
    parser.add_argument("--events", type=int, default=10_000, help="bulk-path events")
    parser.add_argument("--batch", type=int, default=1000, help="bulk batch size")
    args = parser.parse_args()
    vendor, cleanup = intake_bench.setup_django()
    try:
        from accounts.testing import make_personas
        from grid.standards.actions import do_seed_reference
        from territory.testing import make_small_territory

        make_small_territory()
        people = make_personas()
        do_seed_reference(actor=people["system"], now=intake_bench.START - timedelta(days=1))
        print(f"rollup upkeep against event intake on {vendor}", flush=True)
        kept = [single(args.single, people), bulk(args.events, args.batch, people)]
        print(f"lowest share kept: {min(kept):.3f} (target ≥ {TARGET:.2f})")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
