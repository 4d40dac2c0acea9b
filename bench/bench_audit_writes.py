"""Benchmark: the cost of the audit trail on the write path, before (every audited write took one
global advisory lock on PostgreSQL and read the chain head) and now (the row is written unchained with
its own keyed hash; the background sealer chains it). Same run, same database:

- an audited write (insert one Transition row + its audit row, one transaction) against a plain
  transaction inserting the same Transition row: ratios before-style and now;
- `workflow.engine.transition()` per operation, before-style and now;
- 8 concurrent writers' throughput (PostgreSQL only: SQLite admits one writer at a time anyway);
- the sealer's rate (rows sealed per second).

"Before-style" reproduces the old critical section in front of today's record_event: the
`pg_advisory_xact_lock` (PostgreSQL) and the read of the newest hash.
Usage: python bench/bench_audit_writes.py [--ops 1500] [--writers 8]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _setup import setup_django  # noqa: E402  (bench/ is on the path when a script runs)

START = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)
_OLD_CHAIN_LOCK_KEY = 320507_0001


def before_style(record_event: Callable[..., Any]) -> Callable[..., Any]:
    """The old append: a global lock, then the chain head read, then the insert."""
    from django.db import connection

    from audit.models import AuditEvent

    def locked(**kwargs: Any) -> Any:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_OLD_CHAIN_LOCK_KEY])
        AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        return record_event(**kwargs)

    return locked


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=1500)
    parser.add_argument("--writers", type=int, default=8)
    args = parser.parse_args()
    vendor, cleanup = setup_django()
    try:
        from django.db import connections, transaction

        import workflow.engine as engine
        from accounts.testing import make_personas
        from audit.actions import record_event
        from audit.sealing import seal_pending
        from territory.testing import make_small_territory
        from workflow.engine import transition
        from workflow.models import Transition
        from workflow.start import do_start_item

        make_small_territory()
        people = make_personas()
        dispatcher = people["dispatcher"]
        n = args.ops
        print(f"audit write-path benchmark on {vendor}: {n:,} operations", flush=True)
        item = do_start_item(
            "sample_complaint", actor=dispatcher, now=START, title="基准", territory_code="320507003201001"
        )

        def write(i: int, audit: Callable[..., Any] | None) -> None:
            with transaction.atomic():
                row = Transition.objects.create(
                    item=item,
                    action="bench",
                    from_state="handling",
                    to_state="handling",
                    actor=dispatcher,
                    inputs={},
                    occurred_at=START + timedelta(seconds=i),
                )
                if audit is not None:
                    audit(
                        actor=dispatcher,
                        action="bench.write",
                        subject=row,
                        after={"i": i},
                        now=row.occurred_at,
                    )

        def timed(fn: Callable[[int], None]) -> float:
            began = time.perf_counter()
            for i in range(n):
                fn(i)
            return (time.perf_counter() - began) / n

        locked_record = before_style(record_event)
        plain = timed(lambda i: write(i, None))
        old = timed(lambda i: write(i, locked_record))
        new = timed(lambda i: write(i, record_event))
        plain2 = timed(lambda i: write(i, None))  # the baseline again: drift shows as a difference
        base = (plain + plain2) / 2
        print(f"  plain transaction:       {1000 * plain:.3f} / {1000 * plain2:.3f} ms (first / last)")
        print(f"  audited, before-style:   {1000 * old:.3f} ms  ratio to plain {old / base:.2f}×")
        print(f"  audited, now:            {1000 * new:.3f} ms  ratio to plain {new / base:.2f}×")
        print(f"  now / before-style:      {new / old:.2f}×")

        items = [
            do_start_item(
                "sample_complaint",
                actor=dispatcher,
                now=START + timedelta(seconds=i),
                title=f"事件{i}",
                territory_code="320507003201001",
            )
            for i in range(2 * (n // 4))
        ]

        def dispatch(batch: list[Any]) -> float:
            began = time.perf_counter()
            for i, it in enumerate(batch):
                transition(
                    it,
                    "dispatch",
                    actor=dispatcher,
                    now=START + timedelta(days=1, seconds=i),
                    inputs={"assigned_unit": "320507003-urban", "assignee": "hq_agency"},
                )
            return (time.perf_counter() - began) / len(batch)

        half = len(items) // 2
        engine.record_event = locked_record
        t_old = dispatch(items[:half])
        engine.record_event = record_event
        t_new = dispatch(items[half:])
        print(
            f"  transition(), before-style: {1000 * t_old:.2f} ms; now: {1000 * t_new:.2f} ms; "
            f"ratio now / before-style {t_new / t_old:.2f}×"
        )

        if vendor == "postgresql":
            per_writer = max(n // args.writers, 50)

            def concurrent(audit: Callable[..., Any] | None) -> float:
                barrier = threading.Barrier(args.writers + 1)

                def worker(w: int) -> None:
                    try:
                        barrier.wait()
                        for i in range(per_writer):
                            write(w * 100_000 + i, audit)
                    finally:
                        connections.close_all()

                threads = [threading.Thread(target=worker, args=(w,)) for w in range(args.writers)]
                for t in threads:
                    t.start()
                barrier.wait()
                began = time.perf_counter()
                for t in threads:
                    t.join()
                return args.writers * per_writer / (time.perf_counter() - began)

            c_plain = concurrent(None)
            c_old = concurrent(locked_record)
            c_new = concurrent(record_event)
            print(f"  {args.writers} concurrent writers ({per_writer} writes each), writes/s:")
            print(
                f"    plain {c_plain:.0f}; audited before-style {c_old:.0f} ({c_old / c_plain:.2f}× plain); "
                f"now {c_new:.0f} ({c_new / c_plain:.2f}× plain); now / before-style {c_new / c_old:.2f}×"
            )
        else:
            print("  concurrent writers: PostgreSQL only (run with DATABASE_URL=postgres://…)")

        began = time.perf_counter()
        sealed = seal_pending().rows
        print(
            f"  sealer: {sealed:,} rows in {time.perf_counter() - began:.2f} s "
            f"({sealed / (time.perf_counter() - began):.0f} rows/s)"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
