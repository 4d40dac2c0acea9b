"""Calendar test fixtures: a clean year cache around every test (the table rows roll back with the test
transaction, the process cache would not), and the people who may or may not edit the calendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from workcalendar import service

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_calendar_cache() -> Iterator[None]:
    service.invalidate()
    yield
    service.invalidate()


@pytest.fixture
def steward(db: None) -> Any:
    """A data steward: holds the Django permission to change the calendar, nothing more."""
    user = get_user_model().objects.create_user(username="steward", password="x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="workcalendar"))
    return get_user_model().objects.get(pk=user.pk)  # fresh instance: no stale permission cache


@pytest.fixture
def clerk(db: None) -> Any:
    """Staff without calendar rights."""
    return get_user_model().objects.create_user(username="clerk", password="x", is_staff=True)


@pytest.fixture
def system_user(db: None) -> Any:
    """The system user of the test personas (built once per session)."""
    return get_user_model().objects.get(username="system", is_system=True)
