"""Fixtures of the grid tests: a fixed clock and the seeded reference data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def reference(personas: dict[str, Any]) -> dict[str, int]:
    """Categories, standard v1 and the towns' responsibility lists (黄桥 has its urban office)."""
    from core.testing import replayed
    from grid.standards.actions import do_seed_reference

    return replayed(("grid.reference", NOW), lambda: do_seed_reference(actor=personas["system"], now=NOW))


@pytest.fixture
def api() -> APIClient:
    return APIClient()
