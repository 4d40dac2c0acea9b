"""Shared set-up of the benchmarks: Django on a throwaway database (a temporary SQLite file, or a new
PostgreSQL database created next to DATABASE_URL and dropped afterwards), migrated."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django() -> tuple[str, Any]:
    """Point Django at a throwaway database and migrate it. Returns (vendor label, cleanup)."""
    tmp = tempfile.mkdtemp(prefix="zhili-bench-")
    os.environ["ZHILI_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    base_url = os.environ.get("DATABASE_URL", "")
    cleanup: Any = lambda: None  # noqa: E731
    if base_url.startswith("postgres"):
        import psycopg

        name = f"zhili_bench_{os.getpid()}"
        with psycopg.connect(base_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = base_url.rsplit("/", 1)[0] + "/" + name

        def cleanup() -> None:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(base_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')

    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor, cleanup
