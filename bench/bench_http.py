"""Benchmark: the read endpoints over HTTP on a large history, each beside the same-run `/healthz/`
baseline (issue 13's targets). gunicorn with 2 sync workers on PostgreSQL; locust (FastHttpUser,
headless, as a library) keeps 16 connections busy on one endpoint at a time for BENCH_SECONDS each.

Targets: every list/detail endpoint and staff list page ≥ 0.25 of `/healthz/`'s throughput with p99
< 100 ms; the figures endpoint (from the ledger rollup) p99 < 100 ms; locate ≥ 0.5 of `/healthz/`; a
single public report (`POST /api/v1/public/reports/`) ≥ 0.5 of a bare Django view that inserts one row in
one transaction (`POST /bench/bare-insert/`, bench/_bench_urls.py), both through the same middleware.

Needs DATABASE_URL=postgres://… ; the history (bench/history.py: BENCH_EVENTS, default 1,000,000) is
loaded first if the database holds fewer events. Env: BENCH_DB, BENCH_EVENTS, BENCH_SECONDS (default
10), BENCH_USERS (default 16), BENCH_SKIP (kinds to leave out, e.g. figures), BENCH_ONLY (only these
kinds, with the baseline: list, detail, page, figures, locate, bare, write), BENCH_PREPARE=0 with
BENCH_APP_DIR=<an export of an earlier commit> to measure that code on the same database.
Usage: python bench/bench_http.py  (or `make bench`).
On SQLite (no DATABASE_URL) it says so and does nothing: the targets are PostgreSQL's."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
USERS = int(os.environ.get("BENCH_USERS", "16"))
PERSONAS = ["dispatcher", "huangqiao_squad_leader", "huangqiao_window"]


@dataclass(frozen=True)
class Probe:
    name: str
    path: str
    user: str | None  # token (API) or session (page) of this persona; None: anonymous
    kind: str  # list / detail / page / figures / locate / baseline / bare / write
    page: bool = False
    body: dict[str, Any] | None = None  # POST this JSON body


# Reports come from points spread over about 2 km around it, as residents' do (one spot would make every
# report a duplicate candidate of all the earlier ones).
JITTER = 0.01
# A resident's report at a point inside a grid of the demo district (苏州高铁新城), and the same body to
# the bare-insert baseline (bench/_bench_urls.py).
REPORT = {
    "category_code": "0102",
    "description": "小区门口有成堆的垃圾，请尽快处理（基准）",
    "lon": 120.62,
    "lat": 31.45,
}


def probes(ids: dict[str, int]) -> list[Probe]:
    return [
        Probe("healthz", "/healthz/", None, "baseline"),
        Probe("work-items list", "/api/v1/work-items/?page_size=20", "dispatcher", "list"),
        Probe("work-item detail", f"/api/v1/work-items/{ids['item']}/", "dispatcher", "detail"),
        Probe("grid events list", "/api/v1/grid/events/?page_size=20", "dispatcher", "list"),
        Probe("grid event detail", f"/api/v1/grid/events/{ids['event']}/", "dispatcher", "detail"),
        Probe("open311 list", "/open311/v2/requests.json", None, "list"),
        Probe("enforcement cases", "/api/v1/enforcement/cases/", "huangqiao_squad_leader", "list"),
        Probe("approvals applications", "/api/v1/approvals/applications/", "huangqiao_window", "list"),
        Probe("page /grid/dispatch/", "/grid/dispatch/", "dispatcher", "page", page=True),
        Probe("page /work/", "/work/?scope=all", "dispatcher", "page", page=True),
        Probe("page /enforcement/", "/enforcement/?view=all", "huangqiao_squad_leader", "page", page=True),
        Probe(
            "page /approvals/applications/", "/approvals/applications/", "huangqiao_window", "page", page=True
        ),
        Probe(
            "grid figures (district)",
            "/api/v1/grid/figures/?level=district&code=320507",
            "dispatcher",
            "figures",
        ),
        Probe("locate", "/api/v1/territory/locate/?lon=120.62&lat=31.45", "dispatcher", "locate"),
        Probe("bare insert view (POST)", "/bench/bare-insert/", None, "bare", body=REPORT),
        Probe("public report (POST)", "/api/v1/public/reports/", None, "write", body=REPORT),
        Probe("healthz (again)", "/healthz/", None, "baseline"),
    ]


def headers_for(probe: Probe, creds: dict[str, dict[str, str]]) -> dict[str, str]:
    if probe.user is None:
        return {}
    if probe.page:
        return {"Cookie": f"sessionid={creds[probe.user]['session']}"}
    return {"Authorization": f"Token {creds[probe.user]['token']}"}


def run_probe(
    base: str, path: str, headers: dict[str, str], body: dict[str, Any] | None = None
) -> tuple[float, float, float, int, int]:
    """(requests/s, p50 ms, p99 ms, requests, failures) of USERS connections for SECONDS (bench/_probe.py);
    with `body`, POSTs it as JSON."""
    import json
    import subprocess

    probe: dict[str, Any] = {"path": path, "headers": headers}
    if body is not None:
        probe["json"] = body
        probe["jitter"] = JITTER
    spec = {"base": base, "seconds": SECONDS, "users": USERS, "probes": [probe]}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "_probe.py")],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
    )
    rate, p50, p99, n, failures = json.loads(done.stdout)[0]
    return float(rate), float(p50), float(p99), int(n), int(failures)


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_http: skipped (set DATABASE_URL=postgres://… — the targets are measured on PostgreSQL)")
        return
    # Every request comes from one address: the per-IP limits of the public endpoints are lifted.
    os.environ.setdefault("GRID_PUBLIC_REPORTS_PER_HOUR", "100000000")
    os.environ.setdefault("GRID_PUBLIC_LOOKUPS_PER_HOUR", "100000000")
    import history
    from _server import credentials, ensure_bare_table, start_consumer, start_gunicorn, stop_gunicorn

    # BENCH_PREPARE=0 measures an earlier commit (BENCH_APP_DIR) on the history as it is.
    db_url = history.prepared_history()
    creds = credentials(db_url, PERSONAS)
    import psycopg

    with psycopg.connect(db_url) as conn:
        event, item = conn.execute(  # type: ignore[misc]
            "SELECT id, work_item_id FROM grid_gridevent WHERE work_item_id IS NOT NULL "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        events = conn.execute("SELECT count(*) FROM grid_gridevent").fetchone()[0]  # type: ignore[index]
        ensure_bare_table(conn)
    rows = []
    skip = {kind.strip() for kind in os.environ.get("BENCH_SKIP", "").split(",") if kind.strip()}
    only = {kind.strip() for kind in os.environ.get("BENCH_ONLY", "").split(",") if kind.strip()}
    for probe in probes({"event": event, "item": item}):
        if probe.kind in skip or (only and probe.kind not in only | {"baseline"}):
            continue
        # A fresh server per endpoint: a slow one's queued requests must not delay the next one's.
        server, base = start_gunicorn(db_url)
        # Reports are registered by the consumer, which runs beside the servers on the same CPUs.
        consumer = start_consumer(db_url) if probe.kind == "write" else None
        try:
            rows.append((probe, *run_probe(base, probe.path, headers_for(probe, creds), probe.body)))
        finally:
            stop_gunicorn(server)
            if consumer is not None:
                consumer.terminate()
                consumer.wait(timeout=60)
    baselines = [r[1] for r in rows if r[0].kind == "baseline"]
    baseline = sum(baselines) / len(baselines)
    bare = next((r[1] for r in rows if r[0].kind == "bare"), 0.0)
    print(
        f"\nHTTP reads on PostgreSQL, {events:,} events, gunicorn 2 workers, {USERS} connections, "
        f"{SECONDS:.0f} s each; /healthz/ baseline {baseline:,.0f} req/s (mean of the runs before and after)"
    )
    print(f"{'request':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} {'errors':>7}  target")
    for probe, rate, p50, p99, n, failures in rows:
        ratio = rate / baseline if baseline else 0.0
        if n == 0:
            print(f"{probe.name:34} no request completed within {SECONDS:.0f} s  NOT met")
            continue
        if probe.kind == "baseline":
            verdict = ""
        elif probe.kind == "figures":
            verdict = f"p99 < 100 ms: {'met' if p99 < 100 and not failures else 'NOT met'}"
        elif probe.kind == "bare":
            verdict = f"(the write baseline: {rate / baseline if baseline else 0:.2f} of /healthz/)"
        elif probe.kind == "write":
            share = rate / bare if bare else 0.0
            met = "met" if share >= 0.5 and not failures else "NOT met"
            verdict = f"≥ 0.5 of the bare insert view: {share:.2f} {met}"
        elif probe.kind == "locate":
            verdict = f"≥ 0.5: {'met' if ratio >= 0.5 and not failures else 'NOT met'}"
        else:
            ok = ratio >= 0.25 and p99 < 100 and not failures
            verdict = f"≥ 0.25 and p99 < 100 ms: {'met' if ok else 'NOT met'}"
        print(f"{probe.name:34} {rate:8.1f} {p50:8.0f} {p99:8.0f} {ratio:7.3f} {failures:7d}  {verdict}")


if __name__ == "__main__":
    main()
