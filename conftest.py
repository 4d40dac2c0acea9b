"""Suite-wide fixtures. App-specific fixtures live in each app's tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

# Browser fixtures (`browser`, `page`, `problems`) for every test package: one Chromium per process.
pytest_plugins = ["tests.browser.fixtures"]


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
