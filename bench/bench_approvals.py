"""Benchmark: approval services — catalogue import and window intake, each as a ratio to plain inserts of
the same rows in the same run.

1. CATALOGUE IMPORT of --items (default 5,000) service items through `approvals.actions.do_import_catalogue`
   (every row parsed and validated — credit codes, limits, materials —, content hashes, one query for the
   existing codes, bulk_create of items and versions, one bulk_update linking the current versions, one
   summary audit row). Baseline: the rows the import wrote (items, versions, the audit row) inserted again
   with plain SQL `executemany` (one statement per table, ids given, one transaction).
2. WINDOW INTAKE of --applications (default 10,000) through `approvals.actions.do_file_applications_bulk`
   in batches of --batch (default 1,000): applicant validated (GB 11643 check), materials checked against
   the guide, citizen ID and phone encrypted + hashed, receipt numbers drawn, bulk_create of the
   applications, the engine's bulk start (work items in 待受理 with deadlines and the per-item promised
   limit, start transitions, the centre staff's outbox messages, one audit row), the application → item
   link (one bulk_update), one summary audit row. Baseline: the rows of the first (warm-up) batch —
   applications, work items, transitions, outbox messages, audit rows — replayed once per batch with plain
   SQL `executemany` (ids given, unique values and links varied, one transaction per batch).
3. SINGLE window intake (`do_take_application`, accept, one transaction each) on a small N (--single,
   default 200), against the same rows inserted one application per transaction.

ratio = plain-insert time / path time (1.0 = as fast as writing the rows; higher is better).
Usage: python bench/bench_approvals.py [--items N] [--applications N] [--batch B] [--single N]
       DATABASE_URL=postgres://… python bench/bench_approvals.py   (a throwaway database next to it)
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

import _setup  # noqa: E402  (bench/ is on the path when a script runs)

START = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
OFFSET = 10_000_000  # ids of replayed copies: far above anything the run wrote


def max_ids(labels: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Per table: (highest id, highest id below the replay range). New rows get ids above the first on
    SQLite (AUTOINCREMENT follows the replayed copies) and above the second on PostgreSQL (the sequences
    do not see the replayed ids)."""
    from django.apps import apps
    from django.db.models import Max

    out = {}
    for label in labels:
        model = apps.get_model(label)
        top = model.objects.aggregate(m=Max("id"))["m"] or 0
        low = model.objects.filter(id__lt=OFFSET).aggregate(m=Max("id"))["m"] or 0
        out[label] = (top, low)
    return out


def capture(
    labels: tuple[str, ...], before: dict[str, tuple[int, int]]
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The rows written since `before`, per table: (table, columns incl. id, prepared values)."""
    from django.apps import apps
    from django.db import connection
    from django.db.models import Q

    out = []
    for label in labels:
        model = apps.get_model(label)
        fields = list(model._meta.concrete_fields)
        rows = [
            [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
            for obj in model.objects.filter(
                Q(id__gt=before[label][0]) | Q(id__gt=before[label][1], id__lt=OFFSET)
            ).order_by("id")
        ]
        out.append((model._meta.db_table, [f.column for f in fields], rows))
    return out


# Columns holding ids of captured tables (shifted with the copy) and unique text columns (varied per copy).
LINKS = {
    "approvals_serviceitem": {"current_version_id"},
    "approvals_serviceitemversion": {"item_id"},
    "approvals_application": {"work_item_id"},
    "workflow_transition": {"item_id"},
}
UNIQUE = {
    "approvals_serviceitem": "implementation_code",
    "approvals_application": "receipt_no",
    "audit_auditevent": "hash",
}


def replay(captured: list[tuple[str, list[str], list[list[Any]]]], copy: int) -> None:
    """Insert the captured rows again as copy number `copy` (one executemany per table)."""
    from django.db import connection

    shift = OFFSET * (copy + 1)
    with connection.cursor() as cursor:
        for table, columns, rows in captured:
            if not rows:
                continue
            idx_id = columns.index("id")
            links = [columns.index(c) for c in LINKS.get(table, ()) if c in columns]
            unique = columns.index(UNIQUE[table]) if table in UNIQUE else None
            batch = []
            for index, row in enumerate(rows):
                values = list(row)
                values[idx_id] += shift
                for i in links:
                    if values[i] is not None:
                        values[i] += shift
                if unique is not None:
                    values[unique] = {
                        "approvals_serviceitem": f"{str(values[unique])[:18]}B{copy:04d}{index:08d}",
                        "approvals_application": f"B{copy:05d}{index:08d}",
                        "audit_auditevent": f"{copy:08d}{index:08d}".ljust(64, "0"),
                    }[table]
                batch.append(values)
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",  # noqa: S608
                batch,
            )


def catalogue_records(n: int) -> list[dict[str, Any]]:
    from approvals.testing import catalogue_record
    from core.testing_codes import credit_code

    bodies = [credit_code(900000 + b) for b in range(20)]
    types = [("XK", "行政许可"), ("QR", "行政确认"), ("JF", "行政给付"), ("GG", "公共服务")]
    records = []
    for i in range(n):
        code, label = types[i % len(types)]
        body = bodies[i % len(bodies)]
        basic = f"{code}{i // 1000:05d}{i % 1000:03d}"
        records.append(
            catalogue_record(
                **{
                    "基本编码": basic,
                    "实施编码": body + basic,
                    "事项名称": f"测试事项第{i}号（{label}）",
                    "事项类型": label,
                    "实施主体统一社会信用代码": body,
                    "审批机构编码": "",
                    "镇级审批机构": "social",
                    "电子证照类型代码": "",
                    "承诺办结时限": 1 + i % 9,
                }
            )
        )
    return records


def bench_catalogue(n: int, system: Any) -> list[str]:
    from django.db import transaction

    from approvals.actions import do_import_catalogue
    from approvals.catalogue import rows_from_dicts

    labels = ("approvals.ServiceItem", "approvals.ServiceItemVersion", "audit.AuditEvent")
    rows = rows_from_dicts(catalogue_records(n))
    before = max_ids(labels)
    began = time.perf_counter()
    result = do_import_catalogue(rows, actor=system, now=START, filename="bench")
    path = time.perf_counter() - began
    assert result.created == n, result
    captured = capture(labels, before)
    began = time.perf_counter()
    with transaction.atomic():
        replay(captured, 0)
    plain = time.perf_counter() - began
    written = sum(len(r) for _t, _c, r in captured)
    return [
        f"catalogue import: {n:,} items ({written:,} rows: items, versions, audit)",
        f"  path  {path:8.2f} s  {n / path:10,.0f} items/s",
        f"  plain {plain:8.2f} s  {n / plain:10,.0f} items/s",
        f"  ratio {plain / path:8.3f}",
    ]


def intake_specs(n: int, start: int, codes: list[str]) -> list[Any]:
    from approvals.actions import ApplicantInput, IntakeSpec
    from core.testing_codes import citizen_id

    return [
        IntakeSpec(
            item_code=codes[(start + i) % len(codes)],
            applicant=ApplicantInput(
                "natural", f"申请人{start + i}", citizen_id(start + i), f"139{start + i:08d}"
            ),
            materials=("营业执照", "经营场所平面图"),
        )
        for i in range(n)
    ]


def bench_intake(n: int, batch: int, people: dict[str, Any], codes: list[str]) -> list[str]:
    from django.db import transaction

    from approvals.actions import do_file_applications_bulk

    labels = (
        "approvals.Application",
        "workflow.WorkItem",
        "workflow.Transition",
        "outbox.OutboxMessage",
        "audit.AuditEvent",
    )
    centre, clerk = people["hq_centre"], people["hq_clerk"]
    before = max_ids(labels)
    do_file_applications_bulk(intake_specs(batch, 0, codes), centre=centre, actor=clerk, now=START)  # warm-up
    captured = capture(labels, before)
    batches = max(1, n // batch)
    specs = [intake_specs(batch, (b + 1) * batch, codes) for b in range(batches)]
    began = time.perf_counter()
    for b, chunk in enumerate(specs):
        do_file_applications_bulk(chunk, centre=centre, actor=clerk, now=START + timedelta(minutes=b + 1))
    path = time.perf_counter() - began
    began = time.perf_counter()
    for b in range(batches):
        with transaction.atomic():
            replay(captured, 1 + b)  # copy 0 is the catalogue's
    plain = time.perf_counter() - began
    total = batches * batch
    per = sum(len(r) for _t, _c, r in captured) / batch
    return [
        f"window intake (bulk, batches of {batch:,}): {total:,} applications ({per:.2f} rows each)",
        f"  path  {path:8.2f} s  {total / path:10,.0f} applications/s",
        f"  plain {plain:8.2f} s  {total / plain:10,.0f} applications/s",
        f"  ratio {plain / path:8.3f}",
    ]


def bench_single(n: int, people: dict[str, Any], codes: list[str]) -> list[str]:
    from django.db import transaction

    from approvals.actions import ApplicantInput, do_take_application
    from core.testing_codes import citizen_id

    if n <= 0:
        return []
    labels = (
        "approvals.Application",
        "workflow.WorkItem",
        "workflow.Transition",
        "outbox.OutboxMessage",
        "audit.AuditEvent",
    )

    def take(i: int) -> None:
        do_take_application(
            actor=people["hq_clerk"],
            now=START + timedelta(hours=1, seconds=i),
            decision="accept",
            item_code=codes[i % len(codes)],
            centre=people["hq_centre"],
            applicant=ApplicantInput("natural", f"单件{i}", citizen_id(i), f"138{i:08d}"),
            materials=["营业执照", "经营场所平面图"],
        )

    before = max_ids(labels)
    take(0)
    captured = capture(labels, before)
    began = time.perf_counter()
    for i in range(1, n + 1):
        take(i)
    path = time.perf_counter() - began
    began = time.perf_counter()
    for k in range(n):
        with transaction.atomic():
            replay(captured, 1000 + k)
    plain = time.perf_counter() - began
    per = sum(len(r) for _t, _c, r in captured)
    return [
        f"window intake (single, accept, one transaction each): {n:,} applications ({per} rows each)",
        f"  path  {path:8.2f} s  {n / path:10,.0f} applications/s  ({1000 * path / n:.1f} ms each)",
        f"  plain {plain:8.2f} s  {n / plain:10,.0f} applications/s",
        f"  ratio {plain / path:8.3f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--applications", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--single", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile the two bulk paths (top 25)")
    args = parser.parse_args()
    vendor, cleanup = _setup.setup_django()
    import logging

    logging.getLogger("core.pii").setLevel(logging.ERROR)
    try:
        from accounts.testing import make_personas
        from approvals.actions import do_authorise_items
        from approvals.testing import LICENCE_CODE, make_approvals
        from territory.testing import make_small_territory

        make_small_territory()
        personas = make_personas()
        people = {**personas, **make_approvals(personas, START)}
        print(f"database: {vendor}")
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        for line in bench_catalogue(args.items, personas["system"]):
            print(line, flush=True)
        from approvals.models import ServiceItem

        xk = ServiceItem.objects.filter(basic_code__startswith="XK").values_list(
            "implementation_code", flat=True
        )
        codes = [LICENCE_CODE, *xk[:199]]
        do_authorise_items(people["hq_centre"], codes, actor=personas["system"], now=START)
        for line in bench_intake(args.applications, args.batch, people, codes):
            print(line, flush=True)
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        for line in bench_single(args.single, people, codes):
            print(line, flush=True)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
