"""The link walk over the whole demo district (what `make run` serves): as every demo persona and as an
anonymous visitor, from `/`, every same-site link on every page reached, and none is broken. One test, so
the demo is seeded once whichever worker runs it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from demo.seed import personas, seed_demo
from tests.link_walk import walk

# Seeding the whole demo district takes minutes on a loaded machine: a longer hang guard than the suite's.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(1800)]
NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)  # a Friday, 10:00 in Suzhou
PAGES_PER_PERSONA = 150


def test_no_broken_link_for_any_demo_persona(empty_database: None, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        seed_demo(now=NOW)
        usernames = [p.username for p in personas()]
        broken: dict[str, dict[str, int]] = {}
        visited: dict[str, int] = {}
        for username in [None, *usernames]:
            client = Client()
            if username is not None:
                client.force_login(User.objects.get(username=username))
            found, visited[username or "anonymous"] = walk(client, max_pages=PAGES_PER_PERSONA)
            if found:
                broken[username or "anonymous"] = found
    assert all(n >= 5 for n in visited.values()), visited  # every walk got past the start page
    assert broken == {}
