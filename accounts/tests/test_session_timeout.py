"""Idle session timeout: a staff session ends after ZHILI_SESSION_IDLE_MINUTES without a request; each
request pushes the end on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from accounts.testing import PASSWORD

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_an_idle_session_ends_and_an_active_one_does_not(
    client: Client, personas: dict[str, User], settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 30 * 60
    with time_machine.travel(START, tick=False):
        assert client.post("/login/", {"username": "hq_leader", "password": PASSWORD}).status_code == 302
    for minutes in (20, 40, 60):  # a request every 20 minutes keeps it alive
        with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(START + timedelta(minutes=91), tick=False):
        idle = client.get("/me/")
    assert idle.status_code == 302 and idle["Location"].startswith("/login/")
