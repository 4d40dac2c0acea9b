"""Benchmark: transitions per second through `workflow.engine.transition()` (lock, checks, deadlines
from the work calendar, Transition row, audit event, outbox), as a ratio to plain inserts of the same
number of Transition rows (one `Transition.objects.create` per transaction), measured in the same run.

Runs on a throwaway database: a temporary SQLite file by default, or a new database created next to
DATABASE_URL (PostgreSQL; dropped afterwards).
Usage: python bench/bench_workflow_transitions.py [--items 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _setup import setup_django  # noqa: E402  (bench/ is on the path when a script runs)

START = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=2000)
    args = parser.parse_args()
    vendor, cleanup = setup_django()
    try:
        from django.db import transaction

        from accounts.testing import make_personas
        from territory.testing import make_small_territory
        from workflow.engine import do_start_item, transition
        from workflow.models import Transition

        make_small_territory()
        people = make_personas()
        dispatcher = people["dispatcher"]
        n = args.items
        print(f"workflow transitions benchmark on {vendor}: {n:,} items", flush=True)

        began = time.perf_counter()
        items = [
            do_start_item(
                "sample_complaint",
                actor=dispatcher,
                now=START + timedelta(seconds=i),
                title=f"事件{i}",
                territory_code="320507003201001",
            )
            for i in range(n)
        ]
        start_seconds = time.perf_counter() - began

        began = time.perf_counter()
        for i, item in enumerate(items):
            transition(
                item,
                "dispatch",
                actor=dispatcher,
                now=START + timedelta(days=1, seconds=i),
                inputs={"assigned_unit": "320507003-urban", "assignee": "hq_agency"},
            )
        transition_seconds = time.perf_counter() - began

        began = time.perf_counter()
        for i, item in enumerate(items):
            with transaction.atomic():
                Transition.objects.create(
                    item=item,
                    action="baseline",
                    from_state="handling",
                    to_state="handling",
                    actor=dispatcher,
                    inputs={},
                    occurred_at=START + timedelta(days=2, seconds=i),
                )
        insert_seconds = time.perf_counter() - began

        print(f"  do_start_item: {n / start_seconds:8.0f} /s")
        each = 1000 * transition_seconds / n
        print(f"  transition():  {n / transition_seconds:8.0f} /s  ({each:.2f} ms each)")
        print(f"  plain inserts: {n / insert_seconds:8.0f} /s  ({1000 * insert_seconds / n:.2f} ms each)")
        ratio = transition_seconds / insert_seconds
        print(f"  ratio transition()/plain insert (time per operation): {ratio:.1f}×")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
