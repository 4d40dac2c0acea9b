"""Benchmark: exact lookup of a person by ID number through its keyed hash (HMAC-SHA256 of the number,
then the unique index on `id_number_hash`) over --people (default 1,000,000) registered people.
Baseline, same run and same table: a lookup by integer primary key. Target: p95 ≤ 5 ms.

The people are written with bulk_create (their ID numbers sealed with AES-GCM and hashed as the
registry action does); the lookups pick random people, half of them misses (unknown numbers).

Usage: python bench/bench_registry_lookup.py [--people N] [--lookups N]
       DATABASE_URL=postgres://… python bench/bench_registry_lookup.py   (a throwaway database next to it)
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import setup_django

BATCH = 20_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=5_000)
    args = parser.parse_args()
    vendor, cleanup = setup_django()
    try:
        from django.db import connection, transaction

        from registry import crypto
        from registry.models import Person
        from registry.testing import synthetic_id_number

        rng = random.Random(20260302)
        epoch = date(1940, 1, 1)

        def number(i: int) -> str:  # unique: one birth date per 500 people, sequence = the rest
            return synthetic_id_number("320507", epoch + timedelta(days=i // 500), i % 500 + 1)

        # Rows go in with plain executemany (a million model instances would take minutes). Each row gets
        # its real HMAC; the sealed column holds one real AES-GCM token of an ID number, repeated: the row
        # is as wide as a real one and the lookup reads only the hash index.
        token = crypto.seal(Person, "id_number_sealed", number(0))
        columns = (
            "territory_code, kind, name, id_type, id_number_sealed, id_number_hash, sex, nationality, "
            "phone_sealed, phone_hash, address_detail_sealed, tenant, relation"
        )
        sql = f"INSERT INTO registry_person ({columns}) VALUES ({', '.join(['%s'] * 13)})"  # noqa: S608 (constant column list)
        started = time.perf_counter()
        for start in range(0, args.people, BATCH):
            rows = [
                (
                    "320507003201001",
                    "registered",
                    "测试",
                    "resident_id",
                    token,
                    crypto.lookup_hash(number(i)),
                    "",
                    "CHN",
                    "",
                    "",
                    "",
                    False,
                    "",
                )
                for i in range(start, min(start + BATCH, args.people))
            ]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, rows)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE registry_person")
        print(f"{vendor}: {args.people:,} people written in {time.perf_counter() - started:.1f} s")

        ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:1]) or [1]
        first = ids[0]
        picks = [rng.randrange(args.people * 2) for _ in range(args.lookups)]  # ≥ people: misses

        def by_hash(i: int) -> object:
            return Person.objects.filter(id_number_hash=crypto.lookup_hash(number(i))).first()

        def by_pk(i: int) -> object:
            return Person.objects.filter(pk=first + i).first()

        results = {}
        for label, lookup in (("primary key (baseline)", by_pk), ("ID hash", by_hash)):
            for i in picks[:200]:  # warm-up
                lookup(i)
            timings = []
            for i in picks:
                t0 = time.perf_counter()
                lookup(i)
                timings.append((time.perf_counter() - t0) * 1000)
            results[label] = (statistics.median(timings), percentile(timings, 0.95))
            print(f"{label:>24}: p50 {results[label][0]:.3f} ms  p95 {results[label][1]:.3f} ms")
        base, path = results["primary key (baseline)"][1], results["ID hash"][1]
        verdict = "met" if path <= 5 else "MISSED"
        print(f"p95 ratio ID-hash / primary-key = {path / base:.2f}; target p95 ≤ 5 ms: {verdict}")
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
