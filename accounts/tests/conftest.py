from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from accounts.models import User

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def steward(personas: dict[str, User]) -> User:
    """A district data steward (manages organisation and people)."""
    from accounts.testing import make_org_unit, make_person

    centre = make_org_unit("320507-command", "相城区集成指挥中心", "command_centre", "320507")
    return make_person("steward", unit=centre, role="data_steward")
