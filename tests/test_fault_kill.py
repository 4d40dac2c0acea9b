"""Faults under load, on loopback and PostgreSQL: grid workers keep filing reports (each with its own
Idempotency-Key, retried until answered) while the web server (gunicorn) and the job consumer (huey) are
killed with SIGKILL mid-stream and started again, while the job consumer is sending a batch of SMS through
a gateway on loopback. Afterwards: every report was acknowledged exactly once and stored once, every
stored report has its work item with its first transition, the outbox drains (nothing left pending), and
the gateway received every SMS — a send cut off by the kill is repeated with the same delivery key, so the
gateway recognises it and the phone gets each text once; the repeats are counted. PostgreSQL only: on
SQLite the server and the test share one file and the load case is tests/test_sqlite_load.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils.timezone import now as django_now
from huey import RedisHuey, SqliteHuey
from rest_framework.authtoken.models import Token

from grid.models import GridEvent
from grid.tests import test_event_support as support
from grid.tests.test_event_support import HQ_POINT
from notifications.tasks import build_delivery_tasks
from notifications.transports import delivery_key
from outbox.models import OutboxMessage
from tests.test_sqlite_load import free_port, wait_until_up
from workflow.models import Transition, WorkItem

media, people = support.media, support.people  # fixtures

WRITERS = 4
REPORTS_EACH = 12
KILL_AFTER = 12  # acknowledged reports before the kill
TAG = "断电测试"
WEB = ("-w", "2", "--threads", "4", "--timeout", "120")
SMS_COUNT = 80  # texts queued for the consumer before the kill
SMS_BEFORE_KILL = 10  # texts the gateway has received before the kill
GATEWAY_LATENCY = 0.1  # seconds the gateway takes per text: sends are under way when the kill lands
CONSUMER_WORKERS = 2
BASE_DIR = Path(settings.BASE_DIR)


class Stack:
    """gunicorn and a huey consumer, each in its own process group so that SIGKILL takes its children."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.web: subprocess.Popen[bytes] | None = None
        self.jobs: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        var = Path(self.env["ZHILI_VAR_DIR"])
        var.mkdir(parents=True, exist_ok=True)
        log = (var / "web.log").open("ab")
        self.web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "zhili.wsgi:application",
                "-b",
                f"127.0.0.1:{self.port}",
                *WEB,
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        self.jobs = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--quiet"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until_up(self.base, self.web)

    def kill(self) -> None:
        for process in (self.web, self.jobs):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)

    def stop(self) -> None:
        for process in (self.web, self.jobs):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)


class Gateway:
    """An SMS gateway on loopback: records every request (its request id, Idempotency-Key header, phone and
    text) and answers 200 after a short pause. `delivered()` is what the phones get: one text per request
    id, as a gateway that honours the key would send."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with gateway.lock:
                    gateway.requests.append({**body, "header_key": self.headers.get("Idempotency-Key")})
                time.sleep(GATEWAY_LATENCY)  # the gateway's own latency, not the test waiting
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}')
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender was killed while waiting for the answer: the text went out

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/send"

    def received(self) -> int:
        with self.lock:
            return len(self.requests)

    def delivered(self) -> Counter[str]:
        with self.lock:
            return Counter(r["request_id"] for r in self.requests)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def queue_texts(env: dict[str, str], count: int) -> list[OutboxMessage]:
    """Commit `count` SMS rows and put their delivery on the stack's own queue, as a committed change does
    (the rows are written without the commit signal: this process's queue is not the stack's)."""
    now = django_now()
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            created_at=now,
            channel=OutboxMessage.Channel.SMS,
            address=f"139{n:08d}",
            kind="fault.sms",
            subject="",
            body=f"{TAG}短信{n}",
            next_attempt_at=now,
        )
        for n in range(count)
    )
    if env.get("REDIS_URL"):
        queue = RedisHuey(name=env["HUEY_NAME"], url=env["REDIS_URL"])
    else:
        queue = SqliteHuey(name="zhili", filename=str(Path(env["ZHILI_VAR_DIR"]) / "huey.sqlite3"))
    build_delivery_tasks(queue).deliver_outbox_messages([row.pk for row in rows])
    return rows


def file_report(base: str, token: str, key: str) -> tuple[int, dict[str, Any]]:
    body = {"category_code": "0102", "description": f"{TAG} {key}", "lon": HQ_POINT[0], "lat": HQ_POINT[1]}
    request = urllib.request.Request(  # noqa: S310 (loopback http)
        f"{base}/api/v1/grid/events/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Token {token}",
            "Idempotency-Key": key,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {"raw": exc.read()[:300].decode("utf-8", "replace")}
    except OSError as exc:  # the server died under the request: no answer, try again
        return 0, {"error": repr(exc)}


def environment(tmp_path: Path) -> dict[str, str]:
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhili.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}",
        "ZHILI_VAR_DIR": str(tmp_path / "var"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HUEY_IMMEDIATE": "0",
        "HUEY_NAME": f"zhili-fault-{os.getpid()}",  # its own queue in a shared Redis
        "HUEY_WORKERS": str(CONSUMER_WORKERS),
        "OUTBOX_CLAIM_LEASE_SECONDS": "3",  # a send cut off by the kill is retried soon
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "ZHILI_DEMO": "1",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    return env


@pytest.mark.django_db(transaction=True)
def test_kill_web_and_jobs_under_load_loses_and_doubles_nothing(
    people: dict[str, Any], tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the server processes and the test share its database")
    token = Token.objects.create(user=people["hq_grid"]).key
    gateway = Gateway()
    env = {**environment(tmp_path), "SMS_GATEWAY_URL": gateway.url, "SMS_GATEWAY_TIMEOUT": "5"}
    stack = Stack(env, free_port())
    answers: dict[str, list[int]] = {}
    odd: list[tuple[str, int, dict[str, Any]]] = []
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    enough = threading.Event()

    def writer(w: int) -> None:
        for i in range(REPORTS_EACH):
            key = f"fault-{w}-{i}"
            for _attempt in range(240):  # bounded: ~2 minutes of a server that does not come back
                status, body = file_report(stack.base, token, key)
                with lock:
                    answers.setdefault(key, []).append(status)
                if status not in (0, 201, 502, 503):
                    with lock:
                        odd.append((key, status, body))
                if status == 201:
                    with lock:
                        acknowledged[key] = body["receipt_number"]
                        if len(acknowledged) >= KILL_AFTER:
                            enough.set()
                    break
                time.sleep(0.5)  # the server is restarting: wait for it, not for a clock

    with gateway:
        stack.start()
        try:
            texts = queue_texts(env, SMS_COUNT)
            threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
            for thread in threads:
                thread.start()
            assert enough.wait(timeout=300), "no reports acknowledged before the kill"
            bound = time.monotonic() + 120  # a bound on the wait for the first texts, not a timing assertion
            while gateway.received() < SMS_BEFORE_KILL:
                assert time.monotonic() < bound, "the consumer sent no texts"
                time.sleep(0.05)
            in_flight = SMS_COUNT - OutboxMessage.objects.filter(state=OutboxMessage.State.SENT).count()
            stack.kill()
            stack.start()
            for thread in threads:
                thread.join(timeout=600)
            # The outbox drains: the consumer's minutely sweep picks up what the killed one left claimed.
            deadline = time.monotonic() + 180  # a bound on the drain, not a timing assertion
            while OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).exists():
                assert time.monotonic() < deadline, list(
                    OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).values(
                        "id", "kind", "attempts"
                    )
                )
                time.sleep(1)
        finally:
            stack.stop()

    # The gateway got every text, each under its row's delivery key (body and header agree): the phones
    # got each text exactly once. Repeats are the sends the kill cut off, at most one per consumer thread.
    assert in_flight > 0, "the kill landed after every text had gone out"
    requests = list(gateway.requests)
    assert all(r["request_id"] == r["header_key"] for r in requests)
    delivered = gateway.delivered()
    assert set(delivered) == {
        delivery_key(row) for row in OutboxMessage.objects.filter(pk__in=[t.pk for t in texts])
    }
    repeats = sum(delivered.values()) - len(delivered)
    print(f"SMS: {len(delivered)} texts, {len(requests)} gateway requests, {repeats} repeated after the kill")
    assert repeats <= CONSUMER_WORKERS, delivered.most_common(CONSUMER_WORKERS + 1)

    keys = {f"fault-{w}-{i}" for w in range(WRITERS) for i in range(REPORTS_EACH)}
    statuses = Counter(s for seen in answers.values() for s in seen)
    assert set(acknowledged) == keys, statuses  # every report answered 201 in the end
    log = (tmp_path / "var" / "web.log").read_text(errors="replace")[-3000:]
    assert set(statuses) <= {0, 201, 502, 503}, (statuses, odd[:3], log)  # never a 500 or a 409 for a retry
    events = list(
        GridEvent.objects.filter(description__startswith=TAG).values("pk", "description", "receipt_number")
    )
    per_key = Counter(e["description"].removeprefix(f"{TAG} ") for e in events)
    assert set(per_key) == keys and set(per_key.values()) == {1}, per_key.most_common(
        3
    )  # none lost or doubled
    assert {e["receipt_number"] for e in events} == set(acknowledged.values())
    ids = [str(e["pk"]) for e in events]
    items = WorkItem.objects.filter(subject_type="grid.gridevent", subject_id__in=ids)
    assert items.count() == len(ids)
    started = set(Transition.objects.filter(item__in=items, action="start").values_list("item_id", flat=True))
    assert started == set(items.values_list("pk", flat=True))  # no item lacks its first transition
    outbox = Counter(OutboxMessage.objects.values_list("state", flat=True))
    assert set(outbox) <= {OutboxMessage.State.SENT}, outbox  # no outbox row stuck pending or failed
