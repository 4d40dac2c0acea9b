"""Benchmark: the town leader's command desk figures with every module fed (grid + 审批服务 + 综合执法 +
党建引领 + 属地管理, command/indicators.py `figures`) against the same-run baseline of the grid figures
alone (what the desk computed before the other streams were connected), on the seeded demo district.
Prints each median / p95, the ratio to the baseline and the queries per desk.

The demo is seeded into a throwaway database (DEMO_HISTORY_EVENTS, default here 1000 grid events) and
every rollup folded, as the minutely job keeps them. Usage: python bench/bench_command_desk.py [--runs N]
       DATABASE_URL=postgres://… python bench/bench_command_desk.py

`--history` (PostgreSQL; issue 10's desk and map-layer benchmark at scale): the same history database as
bench/bench_http.py (bench/history.py, BENCH_EVENTS, default 1,000,000 events), migrated and every rollup
folded. For the district dispatcher (all of 320507) and the town leader (320507003): the desk page, the
indicators and figures APIs, the wall screen (page, figures, feed) and the map layers (open items,
choropleth of grids, heat), each over HTTP — gunicorn 2 workers, locust with BENCH_USERS connections
(default 16) for BENCH_SECONDS (default 10) — printing requests/s, p50, p99 and the ratio to the same-run
`/healthz/`, and in-process the SQL queries one request makes.
Usage: DATABASE_URL=postgres://… python bench/bench_command_desk.py --history"""

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


HISTORY_PROBES = [
    # (name, path, user, page: session cookie instead of a token)
    ("desk page (district)", "/command/", "dispatcher", True),
    ("desk page (town leader)", "/command/", "huangqiao_leader", True),
    (
        "indicators API (district)",
        "/api/v1/command/indicators/?level=district&code=320507",
        "dispatcher",
        False,
    ),
    (
        "figures API by day (town)",
        "/api/v1/command/figures/?indicator=accepted&level=town&code=320507003&group_by=day",
        "dispatcher",
        False,
    ),
    ("screen page (district)", "/command/screen/", "dispatcher", True),
    ("screen figures (district)", "/api/v1/command/screen/figures/", "dispatcher", False),
    ("screen feed (district)", "/api/v1/command/screen/feed/", "dispatcher", False),
    ("map: open items (district)", "/api/v1/command/map/items.geojson", "dispatcher", False),
    (
        "map: open items (town)",
        "/api/v1/command/map/items.geojson?level=town&code=320507003",
        "dispatcher",
        False,
    ),
    (
        "map: grids choropleth (town)",
        "/api/v1/command/map/grids.geojson?level=town&code=320507003",
        "dispatcher",
        False,
    ),
    ("map: grids (district, outlines)", "/api/v1/command/map/grids.geojson", "dispatcher", False),
    ("map: heat (district)", "/api/v1/command/map/heat.geojson", "dispatcher", False),
    ("map page (district)", "/command/map/", "dispatcher", True),
]


def history() -> int:
    """Issue 10's benchmark at scale (see the module's docstring)."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_command_desk --history: needs DATABASE_URL=postgres://… (the history is PostgreSQL)")
        return 1
    import history as bench_history
    from _server import credentials, prepare, start_gunicorn, stop_gunicorn
    from bench_http import SECONDS, USERS, run_probe

    db_url = bench_history.history_url()
    if os.environ.get("BENCH_PREPARE", "1") != "0":
        bench_history.main()
        prepare(db_url)
    os.environ.update(ZHILI_DEMO="1", DEBUG="0", ALLOWED_HOSTS="testserver,127.0.0.1,localhost")
    creds = credentials(db_url, ["dispatcher", "huangqiao_leader"])
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def headers(user: str, page: bool) -> dict[str, str]:
        if page:
            return {"Cookie": f"sessionid={creds[user]['session']}"}
        return {"Authorization": f"Token {creds[user]['token']}"}

    queries: dict[str, tuple[int, int, float]] = {}
    for name, path, user, page in HISTORY_PROBES:
        client = Client()
        extra: dict[str, Any] = {} if page else {"HTTP_AUTHORIZATION": headers(user, False)["Authorization"]}
        if page:
            client.cookies["sessionid"] = creds[user]["session"]
        client.get(path, **extra)  # caches warm, as in a running server
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, **extra)
            took = (time.perf_counter() - started) * 1000
        queries[name] = (response.status_code, len(captured.captured_queries), took)
    connection.close()
    import psycopg

    with psycopg.connect(db_url) as conn:
        found = conn.execute("SELECT count(*) FROM grid_gridevent").fetchone()
        events = found[0] if found else 0
    rows = []
    for name, path, user, page in [
        ("healthz", "/healthz/", "", False),
        *HISTORY_PROBES,
        ("healthz (again)", "/healthz/", "", False),
    ]:
        server, base = start_gunicorn(db_url)
        try:
            rows.append((name, *run_probe(base, path, headers(user, page) if user else {})))
        finally:
            stop_gunicorn(server)
    baseline = (rows[0][1] + rows[-1][1]) / 2
    print(
        f"\ncommand desk, screen and map layers on PostgreSQL, {events:,} events, gunicorn 2 workers, "
        f"{USERS} connections, {SECONDS:.0f} s each; /healthz/ {baseline:,.0f} req/s (before and after)"
    )
    print(
        f"{'request':34} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs healthz':>10} {'errors':>6} "
        f"{'queries':>7} {'status':>6} {'1 in-process ms':>15}"
    )
    for name, rate, p50, p99, n, failures in rows:
        status, count, took = queries.get(name, (200, 0, 0.0))
        done = f"{rate:7.1f} {p50:7.0f} {p99:7.0f}" if n else f"{'none within the run':>23}"
        print(
            f"{name:34} {done} {rate / baseline if baseline else 0:10.3f} {failures:6d} "
            f"{count if name in queries else '':>7} {status if name in queries else '':>6} "
            f"{f'{took:.0f}' if name in queries else '':>15}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--history", action="store_true", help="at scale on the PostgreSQL history")
    args = parser.parse_args()
    if args.history:
        return history()
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
