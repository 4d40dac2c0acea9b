"""Fixtures of the territory tests: a fresh locate index per test, and the full synthetic district."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from territory.locate import invalidate_index

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_locate_index() -> Iterator[None]:
    # Test transactions roll back without signals; never let one test's index answer for another.
    invalidate_index()
    yield
    invalidate_index()


@pytest.fixture
def full_territory(empty_database: None) -> dict[str, int]:
    """相城区 with its 13 towns, 143 villages and synthetic grids, loaded through the action into an
    empty database."""
    from territory.actions.loading import do_load_territory

    return do_load_territory(actor=None, now=NOW)
