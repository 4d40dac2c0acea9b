"""Fixtures of the command-centre tests: the grid tests' reference data and their planted week."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from grid.tests.conftest import NOW
from grid.tests.test_figures import Scenario, week_builder


@pytest.fixture
def reference(personas: dict[str, Any]) -> dict[str, int]:
    """Categories, standard v1 and the towns' responsibility lists (as in the grid tests)."""
    from core.testing import replayed
    from grid.standards.actions import do_seed_reference

    return replayed(("grid.reference", NOW), lambda: do_seed_reference(actor=personas["system"], now=NOW))


@pytest.fixture
def week(
    territory: Any, personas: dict[str, User], reference: Any, settings: Any, tmp_path: Any
) -> Callable[[], Scenario]:
    return week_builder(personas, settings, tmp_path)
