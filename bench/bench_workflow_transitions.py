"""Benchmark: transitions per second through `workflow.engine.transition()` (lock, checks, deadlines
from the work calendar, Transition row, audit event, outbox), as a ratio to two baselines measured in the
same run:
- the same rows (the target, issue 13: ≤ 3×): per item one plain transaction that writes what the
  transition wrote — the work item's UPDATE, the Transition row, the audit row and the outbox message(s),
  copied from the transition's own rows — with `Model.objects.create` / `.update`, no checks;
- one Transition row per transaction (`Transition.objects.create`), the stricter, older baseline.

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
from typing import Any

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
        from django.db.models import F

        from accounts.testing import make_personas
        from audit.models import AuditEvent
        from outbox.models import OutboxMessage
        from territory.testing import make_small_territory
        from workflow.engine import transition
        from workflow.models import Transition, WorkItem
        from workflow.start import do_start_item

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

        # The rows each transition wrote, to be written again by plain transactions.
        def fields(row: Any) -> dict[str, Any]:
            return {
                f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if not f.primary_key
            }

        ids = [item.pk for item in items]
        written: dict[int, list[tuple[Any, dict[str, Any]]]] = {pk: [] for pk in ids}
        for record in Transition.objects.filter(item_id__in=ids, action="dispatch"):
            written[record.item_id].append((Transition, fields(record)))
        for event in AuditEvent.objects.filter(action="workflow.dispatch", subject_type="workflow.workitem"):
            written[int(event.subject_id)].append((AuditEvent, fields(event)))
        for message in OutboxMessage.objects.filter(kind="workflow.dispatch"):
            written[int(message.payload["work_item"])].append((OutboxMessage, fields(message)))
        began = time.perf_counter()
        for i, item in enumerate(items):
            with transaction.atomic():
                WorkItem.objects.filter(pk=item.pk).update(
                    version=F("version") + 1, updated_at=START + timedelta(days=3, seconds=i)
                )
                for model, values in written[item.pk]:
                    model.objects.create(**values)
        same_rows_seconds = time.perf_counter() - began
        per_item = sum(len(rows) for rows in written.values()) / n + 1

        print(f"  do_start_item: {n / start_seconds:8.0f} /s")
        each = 1000 * transition_seconds / n
        print(f"  transition():  {n / transition_seconds:8.0f} /s  ({each:.2f} ms each)")
        print(f"  plain inserts: {n / insert_seconds:8.0f} /s  ({1000 * insert_seconds / n:.2f} ms each)")
        print(
            f"  same rows, plain: {n / same_rows_seconds:5.0f} /s"
            f"  ({1000 * same_rows_seconds / n:.2f} ms each, {per_item:.1f} rows per transaction)"
        )
        ratio = transition_seconds / same_rows_seconds
        verdict = "met" if ratio <= 3 else "NOT met"
        print(
            f"  ratio transition()/same rows in a plain transaction: {ratio:.1f}×  (target ≤ 3×: {verdict})"
        )
        ratio = transition_seconds / insert_seconds
        print(f"  ratio transition()/one plain Transition insert (time per operation): {ratio:.1f}×")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
