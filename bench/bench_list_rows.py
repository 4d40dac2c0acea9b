"""Benchmark: what a row costs in the API lists, in-process on a large history — grid events, work items,
approvals applications, enforcement cases and the Open311 list at 20 and 100 rows a page, each beside a
warm `/healthz/` request in the same run. Prints, per list and page size, the rows the page held, the
median wall and CPU time of a request (CPU: this process only, so the database's share and the machine's
other load stay out of it), the queries, the ratio to `/healthz/`, and, for a list with 100 rows to
show, the CPU cost of one more row ((100-row − 20-row) / 80).
With --profile, cProfile's top functions of each 100-row page.

    DATABASE_URL=postgres://… [BENCH_DB=…] .venv/bin/python bench/bench_list_rows.py [--runs 25] [--profile]

The history is bench/history.py's (1 million events by default: BENCH_EVENTS=300000 builds a smaller
one), topped up and migrated first unless BENCH_PREPARE=0; skipped without PostgreSQL."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")

# (label, path without page size, persona)
LISTS = [
    ("grid events", "/api/v1/grid/events/", "dispatcher"),
    ("work items", "/api/v1/work-items/", "dispatcher"),
    ("approvals applications", "/api/v1/approvals/applications/", "huangqiao_window"),
    ("enforcement cases", "/api/v1/enforcement/cases/", "huangqiao_squad_leader"),
    ("open311 requests", "/open311/v2/requests.json", None),
]
SIZES = (20, 100)


def timed(client: Any, path: str, runs: int) -> tuple[float, float, int, int]:
    """(median wall ms, median CPU ms, queries, rows answered) of a warm GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answer = client.get(path)  # warm-up: caches, plans
    assert answer.status_code == 200, (path, answer.status_code)
    walls, cpus = [], []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            answer = client.get(path)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        assert answer.status_code == 200, path
        queries = len(captured.captured_queries)
    body = answer.json() if path != "/healthz/" else []
    rows = len(body["results"] if isinstance(body, dict) else body)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000, queries, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions per list")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_list_rows: skipped (set DATABASE_URL=postgres://… — measured on a large history)")
        return
    import history

    history.open_history()
    from django.test import Client

    from accounts.models import User

    clients: dict[str | None, Any] = {None: Client()}
    for _label, _path, who in LISTS:
        if who is not None and who not in clients:
            clients[who] = Client()
            clients[who].force_login(User.objects.get(username=who))
    base_wall, base_cpu, base_queries, _ = timed(clients["dispatcher"], "/healthz/", args.runs * 4)
    print(f"/healthz/ {base_wall:.2f} ms wall, {base_cpu:.2f} ms CPU ({base_queries} queries)")
    print(
        f"{'list':24} {'rows':>4} {'wall ms':>8} {'CPU ms':>7} {'q':>3} {'×healthz (wall)':>16} "
        f"{'×healthz (CPU)':>15}"
    )
    for label, path, who in LISTS:
        cpu_of = {}
        for size in SIZES:
            sized = f"{path}?page_size={size}"
            wall, cpu, queries, answered = timed(clients[who], sized, args.runs)
            cpu_of[size] = cpu
            print(
                f"{label:24} {answered:4} {wall:8.1f} {cpu:7.1f} {queries:3} {wall / base_wall:16.1f} "
                f"{cpu / base_cpu:15.1f}"
            )
        if answered == SIZES[1]:  # the list is long enough to tell what a row costs
            per_row = (cpu_of[SIZES[1]] - cpu_of[SIZES[0]]) / (SIZES[1] - SIZES[0])
            print(f"{label:24} one more row: {per_row * 1000:.0f} µs CPU")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(5):
                clients[who].get(f"{path}?page_size={SIZES[1]}")
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
