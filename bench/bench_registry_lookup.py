"""Benchmark: exact lookup of a person by ID number through its keyed hash (HMAC-SHA256 of the number,
then the unique index on `id_number_hash`) over --people (default 1,000,000) registered people.
Baseline, same run and same table: a lookup by integer primary key. Target: p95 ≤ 5 ms.
Also the publication path's question "which strings of this public text are registered people's names"
(core.publication.registered_names over a 1,000-character reply naming three residents: its candidate
names, then one query on the name index), against the same baseline.

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
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文斌辉海燕云鹏飞"
# The 500 most frequent characters of modern Chinese, surnames among them as in real text: a reply drawn
# from them has about as many distinct candidate names as a real one (~13 per 100 characters).
COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
    "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向"
    "道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特"
    "件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队"
    "南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风"
    "切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许"
    "步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列"
    "习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派"
    "层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
)


def name_of(i: int) -> str:
    """Every person a name: surname, then one or two given characters (as many names repeat in life)."""
    given = GIVEN[i // len(SURNAMES) % len(GIVEN)]
    if i % 3:
        given += GIVEN[i // 7 % len(GIVEN)]
    return SURNAMES[i % len(SURNAMES)] + given


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
                    name_of(i),
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

        from core.publication import name_candidates, registered_names

        ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:1]) or [1]
        first = ids[0]
        picks = [rng.randrange(args.people * 2) for _ in range(args.lookups)]  # ≥ people: misses

        def by_hash(i: int) -> object:
            return Person.objects.filter(id_number_hash=crypto.lookup_hash(number(i))).first()

        def by_pk(i: int) -> object:
            return Person.objects.filter(pk=first + i).first()

        def text_of(i: int) -> str:  # ~1,000 characters naming three people (registered or not)
            names = [name_of(i), name_of(i * 7 + 3), name_of(args.people * 3 + i)]
            words = random.Random(i).choices(COMMON, k=955)
            return "".join(words) + "。".join(f"{name}到场见证" for name in names)

        def names_in_text(i: int) -> object:
            return registered_names([text_of(i)])

        sample = text_of(0)
        print(f"a public reply of {len(sample)} characters has {len(name_candidates(sample))} candidates")
        results = {}
        lookups = (
            ("primary key (baseline)", by_pk),
            ("ID hash", by_hash),
            ("names in a reply", names_in_text),
        )
        for label, lookup in lookups:
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
        names = results["names in a reply"][1]
        print(f"p95 ratio names-in-a-reply / primary-key = {names / base:.2f} ({names:.3f} ms)")
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
