"""Suite-wide fixtures. App-specific fixtures live in each app's tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

# Browser fixtures (`browser`, `page`, `problems`) for every test package: one Chromium per process.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True, scope="session")
def _flush_past_sqlite_audit_triggers() -> Iterator[None]:
    """Transactional tests end with a flush, which on SQLite is `DELETE FROM` every table: the audit
    tables' append-only triggers (audit migration 0004) refuse it. Tests only: lift the triggers
    around the flush. (On PostgreSQL the flush is a TRUNCATE, which row triggers do not see.)"""
    import importlib

    # Through the backend's wrapper: importing the operations module on its own is a circular import.
    from django.db.backends.sqlite3.base import DatabaseWrapper

    DatabaseOperations = DatabaseWrapper.ops_class

    triggers = importlib.import_module("audit.migrations.0004_append_only_everywhere")
    original = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        if not set(triggers.TABLES) & set(tables):
            return statements
        before: list[str] = []
        after: list[str] = []
        triggers.drop_sqlite_triggers(before.append)
        triggers.create_sqlite_triggers(after.append)
        return [*before, *statements, *after]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture
def on_postgres() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    yield


@pytest.fixture
def territory(db: None) -> dict[str, Any]:
    from territory.testing import make_small_territory

    return make_small_territory()


@pytest.fixture
def personas(db: None, territory: dict[str, Any]) -> dict[str, Any]:
    from accounts.testing import make_personas

    return make_personas()


@pytest.fixture(autouse=True)
def _steady_calendar_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with an empty work-calendar cache (a previous test's rolled-back calendar rows
    must not linger) and no time-based re-read in the middle of it (query-count tests compare runs)."""
    from workcalendar import service

    service.invalidate()
    monkeypatch.setattr(service, "RECHECK_SECONDS", 3600.0)
    from core import refcache

    refcache.clear_all()  # reference rows held by a previous test's (rolled-back) database
    yield
    service.invalidate()


@pytest.fixture(autouse=True)
def _steady_locate_index() -> Iterator[None]:
    """Each test starts with no locate index (a previous test's rolled-back boundaries must not answer)
    and no wall-clock re-check of the boundary generation in the middle of it: a slow machine must not
    turn the re-check into an extra query between a warm-up and a measured call (query-count tests).
    Changes made inside a test still drop the index at once (territory's actions and signals)."""
    from django.test.utils import override_settings

    from territory.locate import invalidate_index

    invalidate_index()
    with override_settings(TERRITORY_LOCATE_CHECK_SECONDS=3600):
        yield
    invalidate_index()
