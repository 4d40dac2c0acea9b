"""The publication scrubber (core.publication.scrub) on 2,000 characters of free text, clean and with
personal data in it, as a ratio to json.dumps of the same text measured in the same run (the work every
public answer does anyway). No database."""

from __future__ import annotations

import json
import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")

import django

django.setup()

from core.publication import scrub  # noqa: E402

CLEAN = ("2026年12月3日于胡湾路88号发现占道经营，已现场劝离。当事人王某已整改。罚款5000元。" * 40)[:2000]
DIRTY = CLEAN[:1800] + "姓名：张三丰，身份证320507199001011236，手机138 1234 5678，住12幢3单元401室"
ROUNDS = 1000


def per_call(work: object) -> float:
    return min(timeit.repeat(work, number=ROUNDS, repeat=3)) / ROUNDS  # type: ignore[arg-type]


def main() -> None:
    baseline = per_call(lambda: json.dumps(CLEAN, ensure_ascii=False))
    clean = per_call(lambda: scrub(CLEAN))
    dirty = per_call(lambda: scrub(DIRTY, names=["李四"]))
    print(f"baseline json.dumps(2,000 chars): {baseline * 1e6:.1f} µs")
    print(f"scrub, clean text:  {clean * 1e6:.1f} µs  ({clean / baseline:.1f}× baseline)")
    print(f"scrub, with PII:    {dirty * 1e6:.1f} µs  ({dirty / baseline:.1f}× baseline)")


if __name__ == "__main__":
    main()
