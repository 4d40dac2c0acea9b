"""The link walk: as each persona and as an anonymous visitor, start at `/` and follow every same-site
link on every page reached (bounded; one page per URL pattern, digits folded), and no link is broken:
no 404, no server error — on the test world here, on the whole demo district in test_demo_link_walk."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.link_walk import walk

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Suzhou
PERSONAS = ["dispatcher", "hq_leader", "hq_agency", "hq_officer", "hq_grid", "hq_clerk", "hq_approver"]


@pytest.fixture
def world(personas: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    from approvals.testing import make_approvals

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        return {**personas, **make_approvals(personas, NOW)}


@pytest.mark.parametrize("persona", [None, *PERSONAS])
def test_no_broken_links(world: dict[str, Any], persona: str | None) -> None:
    client = Client()
    if persona is not None:
        client.force_login(world[persona])
    with time_machine.travel(NOW, tick=False):
        broken, visited = walk(client)
    assert visited >= 5  # the walk reached the persona's pages, not just the start
    assert broken == {}
