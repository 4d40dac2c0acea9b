"""`make load`: the platform on PostgreSQL + Redis with gunicorn (2 workers) and a huey consumer on
Redis, a history of BENCH_EVENTS events (bench/history.py, default 1,000,000), then the mixed workload of
bench/load/locustfile.py for LOAD_SECONDS (default 60) with LOAD_USERS users (default 32), locust
headless. Prints, per request kind, throughput, p50/p99 and errors beside the same-run `/healthz/`
baseline (16 connections, before and after the mix). How to read it: docs/performance.md.

Env: DATABASE_URL (PostgreSQL server), BENCH_DB, BENCH_EVENTS, REDIS_URL (default
redis://127.0.0.1:6379/7), LOAD_SECONDS, LOAD_USERS."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
USERS = int(os.environ.get("LOAD_USERS", "32"))


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("make load needs DATABASE_URL=postgres://… (and Redis: REDIS_URL, default db 7)")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
    # The whole load comes from one address: the per-IP limits of the public endpoints are lifted.
    os.environ.setdefault("GRID_PUBLIC_REPORTS_PER_HOUR", "1000000")
    os.environ.setdefault("GRID_PUBLIC_LOOKUPS_PER_HOUR", "1000000")
    import history
    from _server import VENV_BIN, credentials, prepare, server_env, start_gunicorn, stop_gunicorn

    history.main()
    db_url = history.history_url()
    prepare(db_url)
    import psycopg

    with psycopg.connect(db_url) as conn:
        workers = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT u.username FROM accounts_user u "
                "JOIN accounts_assignment a ON a.user_id = u.id WHERE a.role = 'grid_worker' AND a.active "
                "AND u.username LIKE 'grid_%' ORDER BY 1 LIMIT 40"
            )
        ]
        events = conn.execute("SELECT count(*) FROM grid_gridevent").fetchone()[0]  # type: ignore[index]
    creds = credentials(db_url, ["dispatcher", *workers])
    out = Path(tempfile.mkdtemp(prefix="zhili-load-"))
    creds_file = out / "credentials.json"
    creds_file.write_text(json.dumps(creds))
    server, base = start_gunicorn(db_url)
    consumer = subprocess.Popen(
        [str(VENV_BIN / "python"), str(BENCH.parent / "manage.py"), "run_huey", "--quiet"],
        env=server_env(db_url),
    )
    from bench_http import run_probe

    try:
        before = run_probe(base, "/healthz/", {})
        env = {**os.environ, "LOAD_CREDENTIALS": str(creds_file)}
        subprocess.run(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{SECONDS}s",
                "--host",
                base,
                "--csv",
                str(out / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            check=False,
        )
        after = run_probe(base, "/healthz/", {})
    finally:
        consumer.terminate()
        stop_gunicorn(server)
        consumer.wait(timeout=30)
    baseline = (before[0] + after[0]) / 2
    print(
        f"\nmake load: {events:,} events, gunicorn 2 workers + huey on Redis, {USERS} users for {SECONDS} s; "
        f"/healthz/ baseline {baseline:,.0f} req/s "
        f"(16 connections, before {before[0]:,.0f} / after {after[0]:,.0f})"
    )
    head = ("request kind", "requests", "req/s", "p50 ms", "p99 ms", "errors", "vs healthz")
    print(f"{head[0]:28} {head[1]:>9} {head[2]:>8} {head[3]:>7} {head[4]:>7} {head[5]:>7} {head[6]:>10}")
    total_errors = 0
    with open(out / "load_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
            errors = int(row["Failure Count"])
            total_errors += errors if name != "ALL" else 0
            rate = float(row["Requests/s"])
            print(
                f"{name:28} {int(row['Request Count']):9d} {rate:8.1f} {row['50%']:>7} {row['99%']:>7} "
                f"{errors:7d} {rate / baseline:10.3f}"
            )
    print(f"errors: {total_errors} ({'0 errors: met' if total_errors == 0 else 'NOT met'}); details in {out}")


if __name__ == "__main__":
    main()
