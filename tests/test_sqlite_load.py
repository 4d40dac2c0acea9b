"""Load on a file-based SQLite, on loopback: a gunicorn server (2 processes × 8 threads) over a copy
of the test database, and 16 writer threads posting public reports at once. No request may end in a
500: a lock that outlasts the busy timeout must be a 503 with Retry-After, and every report answered
201 must be in the database."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from grid.tests import test_event_support as support
from grid.tests.test_event_support import HQ_POINT

media, people = support.media, support.people  # fixtures

WRITERS = 16
REPORTS_EACH = 5
BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post_report(url: str, n: int) -> tuple[int, dict[str, Any], dict[str, str]]:
    body = {
        "category_code": "0102",
        "description": f"负载测试第{n}条：小区门口垃圾没人收",
        "lon": HQ_POINT[0],
        "lat": HQ_POINT[1],
        "reporter_name": "李女士",
        "reporter_phone": "13912345678",
    }
    request = urllib.request.Request(  # noqa: S310 (loopback http)
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = {"raw": raw[:300].decode("utf-8", "replace")}
        return exc.code, parsed, dict(exc.headers)
    except OSError as exc:  # no answer at all: recorded as status 0, which fails the test
        return 0, {"error": repr(exc)}, {}


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90  # a bound on start-up, not a timing assertion
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stdout.read().decode() if server.stdout else ''}")
        try:
            with urllib.request.urlopen(f"{base}/healthz/", timeout=5):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


@pytest.mark.django_db(transaction=True)
def test_sixteen_writers_on_file_sqlite_get_no_500(people: dict[str, Any], tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite locking")
    db_file = tmp_path / "load.sqlite3"
    target = sqlite3.connect(db_file)
    connection.ensure_connection()
    connection.connection.backup(target)  # the migrated schema and the personas, committed
    target.close()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhili.settings",
        "DATABASE_URL": f"sqlite:///{db_file}",
        "ZHILI_VAR_DIR": str(tmp_path / "var"),
        "GRID_PUBLIC_REPORTS_PER_HOUR": "100000",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HUEY_IMMEDIATE": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    gunicorn = [sys.executable, "-m", "gunicorn", "zhili.wsgi:application", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*gunicorn, "-w", "2", "--threads", "8", "--timeout", "120"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    results: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    lock = threading.Lock()
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server)
        barrier = threading.Barrier(WRITERS)

        def writer(w: int) -> None:
            barrier.wait(timeout=30)
            for i in range(REPORTS_EACH):
                outcome = post_report(f"{base}/api/v1/public/reports/", w * 100 + i)
                with lock:
                    results.append(outcome)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
    statuses = Counter(status for status, _, _ in results)
    assert sum(statuses.values()) == WRITERS * REPORTS_EACH
    assert set(statuses) <= {201, 503}, (statuses, [b for s, b, _ in results if s not in (201, 503)][:3])
    for status, body, headers in results:
        if status == 503:
            assert headers.get("Retry-After") and body["errors"][0]["code"] == "database_busy"
    receipts = {body["receipt_number"] for status, body, _ in results if status == 201}
    check = sqlite3.connect(db_file)
    try:
        # Every receipt is on file as received (the intake row; no consumer runs here to register it).
        stored = {row[0] for row in check.execute("SELECT receipt_number FROM grid_reportintake")}
    finally:
        check.close()
    assert len(receipts) == statuses[201] and receipts <= stored
