"""Suite-wide fixtures. App-specific fixtures live in each app's tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

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


@pytest.fixture(autouse=True)
def _keep_language() -> Iterator[None]:
    """LocaleMiddleware activates each request's language on the test's thread (and a test may activate
    one itself): put back the language that was active before the test, so English never leaks on."""
    language = translation.get_language()
    yield
    if language is None:
        translation.deactivate_all()
    else:
        translation.activate(language)


@pytest.fixture
def on_postgres() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    yield


def _build_session_base() -> None:
    """The small territory and the personas, committed: every test of the session reads them (its own
    transaction rolls back whatever it changes), instead of each test building them again."""
    from django.db import transaction

    from accounts.testing import make_personas
    from territory.testing import make_small_territory

    with transaction.atomic():
        make_small_territory()
        make_personas()


@pytest.fixture(autouse=True, scope="session")
def _session_base(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> None:
    """Built once per test process (each xdist worker has its own database). A run in which no test uses
    the database has no test database set up: nothing is built, so nothing lands in the configured one."""
    if not any(_uses_database(item) for item in request.session.items):
        return
    with django_db_blocker.unblock():
        _build_session_base()


def _uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server", "django_db_reset_sequences"} & fixtures
    )


def _flushes_database(item: pytest.Item) -> bool:
    """Does this test end with a flush (a transactional test: pytest-django runs them last)?"""
    from pytest_django.fixtures import validate_django_db

    fixtures = getattr(item, "fixturenames", ())
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(fixtures):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    transaction, reset_sequences, *_ = validate_django_db(marker)
    return bool(transaction or reset_sequences)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A transactional test's flush took the session base away: build it again for the next test, so
    that every test starts from the same database whatever ran before it."""
    yield
    if nextitem is not None and _flushes_database(item):
        from pytest_django.plugin import blocking_manager_key

        from core.testing import forget_replays

        with item.config.stash[blocking_manager_key].unblock():
            _build_session_base()
        forget_replays()


@pytest.fixture
def empty_database(db: None) -> None:
    """For tests of a first load into an empty database: this test's transaction removes the session
    base (the rollback brings it back)."""
    from accounts.testing import remove_session_base

    remove_session_base()


@pytest.fixture
def without_system_user(db: None) -> None:
    """The session base has a system user; this test's transaction takes its system flag away."""
    from accounts.models import User

    User.objects.filter(is_system=True).update(is_system=False)


@pytest.fixture
def territory(db: None) -> dict[str, Any]:
    """The session base's grids by code, as fresh instances for this test."""
    from territory.testing import load_small_territory

    return load_small_territory()


@pytest.fixture
def personas(db: None, territory: dict[str, Any]) -> dict[str, Any]:
    """The session base's personas by name, as fresh instances for this test."""
    from accounts.testing import load_personas

    return load_personas()


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
