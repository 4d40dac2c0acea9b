"""Shared by the HTTP benchmark and the load suite: the history database prepared (migrated, rollup
folded, statistics fresh), credentials for the personas, and gunicorn started on it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
VENV_BIN = HERE / ".venv" / "bin"
# The code under test (default: this tree). A before/after comparison points it at an export of the
# earlier commit (`git archive <commit> | tar -x -C DIR`) with the same database.
ROOT = Path(os.environ.get("BENCH_APP_DIR", str(HERE))).resolve()


BARE_TABLE = "bench_bare_insert"  # the table of the bare-insert baseline (bench/_bench_urls.py)


def ensure_bare_table(conn: Any) -> None:
    """Create the baseline's table (psycopg connection to the history database)."""
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} "
        "(id bigserial PRIMARY KEY, received_at timestamptz NOT NULL, body text NOT NULL)"
    )


def server_env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DEBUG="0",
        ZHILI_DEMO="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="zhili.settings",
    )
    # bench/ on the path: the servers run the bench settings (the product's plus the bare-insert URL).
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE / "bench"), env.get("PYTHONPATH", "")) if p)
    env.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", ""))
    return env


def manage(db_url: str, *args: str) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "python"), str(ROOT / "manage.py"), *args],
        env=server_env(db_url),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def prepare(db_url: str) -> None:
    """Migrate (new indexes), fold the ledger rollup up to now, refresh the planner's statistics."""
    manage(db_url, "migrate", "--noinput", "-v0")
    print(manage(db_url, "fold_ledger").strip())
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def credentials(db_url: str, usernames: list[str]) -> dict[str, dict[str, str]]:
    """Per user: a DRF token and a session id (for the staff pages), created in the history database."""
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    out: dict[str, dict[str, str]] = {}
    for user in User.objects.filter(username__in=usernames):
        token, _ = Token.objects.get_or_create(user=user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out[user.username] = {"token": token.key, "session": str(session.session_key)}
    from django.db import connections

    connections.close_all()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(db_url: str, *, workers: int = 2) -> tuple[subprocess.Popen[Any], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "zhili.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**server_env(db_url), "DJANGO_SETTINGS_MODULE": "_bench_settings"},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(base + "/healthz/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz/ within a minute")


def start_consumer(db_url: str) -> subprocess.Popen[Any]:
    """The huey consumer beside the servers (the public report's intake is registered by it)."""
    return subprocess.Popen(
        [str(VENV_BIN / "python"), str(ROOT / "manage.py"), "run_huey", "--quiet"],
        cwd=ROOT,
        env=server_env(db_url),
    )


def stop_gunicorn(process: subprocess.Popen[Any]) -> None:
    """Quick shutdown (SIGQUIT): in-flight requests of a slow endpoint are dropped, not awaited."""
    import signal

    process.send_signal(signal.SIGQUIT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
