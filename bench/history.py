"""Load a benchmark history into a persistent PostgreSQL database (kept between runs: a million events
take long to write on a shared machine). Idempotent: it tops the database up to the wanted size.

- BENCH_TIMELINE_EVENTS (default 20,000) events with full timelines in every state — the demo's month
  (`seed_demo`, whose bulk path is `workflow.bulk.do_import_items`);
- then intake through the grid bulk path (`grid.events.bulk.do_report_events_bulk`, COPY on
  PostgreSQL) until the table holds BENCH_EVENTS (default 1,000,000) events, spread over the year
  before, across every grid, category and channel, each at a point inside its grid (a history built
  before 4 December 2026 has no points on the bulk part: the map layers then see the timelines' only).

Environment: DATABASE_URL (the server; the database name is replaced by BENCH_DB, default
zhili_bench_history), BENCH_EVENTS, BENCH_TIMELINE_EVENTS.
Usage: python bench/history.py  (prints the database URL last; bench/bench_http.py reads the same env)
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH = 5_000
CHANNELS = ["resident_web", "open311", "hotline", "patrol", "dispatcher", "hotline", "patrol"]


def history_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("bench/history.py needs DATABASE_URL=postgres://… (the history is a PostgreSQL database)")
    return base.rsplit("/", 1)[0] + "/" + os.environ.get("BENCH_DB", "zhili_bench_history")


def prepared_history() -> str:
    """The history database's URL, topped up to BENCH_EVENTS and migrated for the code under test
    (`_server.prepare`) unless BENCH_PREPARE=0 (measure an earlier commit's database as it is)."""
    from _server import prepare

    url = history_url()
    if os.environ.get("BENCH_PREPARE", "1") != "0":
        main()
        prepare(url)
    return url


def open_history() -> str:
    """`prepared_history`, with Django set up in this process on it (in-process benchmarks)."""
    url = prepared_history()
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    return url


def ensure_database(url: str) -> None:
    import psycopg

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def grid_points(
    codes: list[str], rng: random.Random, per_grid: int = 50
) -> dict[str, list[tuple[float, float]]]:
    """Up to `per_grid` points inside each grid (checked with `locate_many`), scattered around the mean of
    its boundary's vertices, so the history's events lie on the map (heat, open items) like reports do."""
    from territory.locate import locate_many
    from territory.models import GridBoundary

    found: dict[str, list[tuple[float, float]]] = {}
    current = GridBoundary.objects.filter(grid_id__in=codes, valid_to__isnull=True)
    for code, boundary in current.values_list("grid_id", "geometry"):
        rings = (boundary or {}).get("coordinates") or []
        if (boundary or {}).get("type") == "MultiPolygon":
            rings = [polygon[0] for polygon in rings if polygon]
        vertices = [v for ring in rings[:1] for v in ring] if rings else []
        if not vertices:
            continue
        lon0 = sum(v[0] for v in vertices) / len(vertices)
        lat0 = sum(v[1] for v in vertices) / len(vertices)
        span = max(max(v[0] for v in vertices) - min(v[0] for v in vertices), 1e-4) / 3
        lons = [lon0 + rng.uniform(-span, span) for _ in range(per_grid * 2)]
        lats = [lat0 + rng.uniform(-span, span) for _ in range(per_grid * 2)]
        hits = locate_many(lons, lats)
        inside = [(x, y) for x, y, hit in zip(lons, lats, hits, strict=True) if hit == code][:per_grid]
        if inside:
            found[code] = inside
    return found


def main() -> None:
    url = history_url()
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("ZHILI_DEMO", "1")
    os.environ.setdefault("DEMO_HISTORY_EVENTS", os.environ.get("BENCH_TIMELINE_EVENTS", "20000"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    # seed_demo issues demo certificates whose QR codes print the public address (as `make demo` sets it).
    os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    import logging

    import django

    django.setup()
    for name in ("grid", "core.pii", "demo"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from grid.events.bulk import do_report_events_bulk
    from grid.models import CategoryStandard, GridEvent
    from grid.standards.selectors import current_standard_version
    from territory.models import Grid
    from workflow.actors import system_actor

    wanted = int(os.environ.get("BENCH_EVENTS", "1000000"))
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not GridEvent.objects.exists():
        call_command("seed_demo", verbosity=0)
    have = GridEvent.objects.count()
    print(f"history: {have:,} events after the demo's timelines ({time.perf_counter() - began:.0f} s)")
    rng = random.Random(13)
    grids = list(Grid.objects.filter(active=True).values_list("code", flat=True))
    points = grid_points(grids, rng)
    version = current_standard_version()
    codes = sorted(
        set(
            CategoryStandard.objects.filter(version=version, category__active=True).values_list(
                "category__kind", "category__code"
            )
        )
    )
    system = system_actor()
    now = timezone.now()
    days = 365
    written = 0
    while have < wanted:
        n = min(BATCH, wanted - have)
        # Each batch is one moment of the past year, newest last (the table grows in time order).
        at = now - timedelta(days=days) + timedelta(days=days) * (have / wanted)
        rows = []
        for i in range(n):
            kind, code = codes[rng.randrange(len(codes))]
            grid = grids[rng.randrange(len(grids))]
            inside = points.get(grid)
            lon, lat = inside[rng.randrange(len(inside))] if inside else (None, None)
            rows.append(
                {
                    "channel": CHANNELS[(have + i) % len(CHANNELS)],
                    "kind": kind,
                    "category_code": code,
                    "description": f"基准历史第{have + i}号：巡查发现的问题",
                    "grid_code": grid,
                    "lon": lon,
                    "lat": lat,
                }
            )
        do_report_events_bulk(rows, actor=system, now=at, batch_size=BATCH)
        have += n
        written += n
        rate = written / (time.perf_counter() - began)
        print(f"history: {have:,} / {wanted:,} events ({rate:,.0f}/s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"history ready: {have:,} events in {time.perf_counter() - began:.0f} s")
    print(url)


if __name__ == "__main__":
    main()
