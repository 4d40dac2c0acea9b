"""The link walk: as each persona and as an anonymous visitor, start at `/` and follow every same-site
link on every page reached (bounded; one page per URL pattern, digits folded), and no link is broken:
no 404, no server error. Downloads (xlsx, pdf) are followed too; only the admin is left to its own tests."""

from __future__ import annotations

import re
from collections import deque
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.test import Client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Suzhou
MAX_PAGES = 120
HREF = re.compile(r'href="([^"#]*)"')
SKIP = ("/static/", "/admin/", "/logout/", "/i18n/", "/api/schema/", "/favicon.ico")
PERSONAS = ["dispatcher", "hq_leader", "hq_agency", "hq_officer", "hq_grid", "hq_clerk", "hq_approver"]


def pattern(url: str) -> str:
    """One page per URL shape: numbers and long codes folded, the query's keys kept, its values not."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return f"{path}?{'&'.join(keys)}"


def walk(client: Client) -> tuple[dict[str, int], int]:
    """(broken links: url → status, pages visited) from `/`."""
    seen: set[str] = set()
    queue: deque[tuple[str, str]] = deque([("/", "start")])
    broken: dict[str, int] = {}
    visited = 0
    while queue and visited < MAX_PAGES:
        url, source = queue.popleft()
        if pattern(url) in seen:
            continue
        seen.add(pattern(url))
        response = client.get(url, follow=True)
        visited += 1
        if response.status_code == 404 or response.status_code >= 500:
            broken[f"{url} (linked from {source})"] = response.status_code
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        here = response.request["PATH_INFO"]
        for href in HREF.findall(response.content.decode()):
            target = urljoin(here, href.replace("&amp;", "&"))
            split = urlsplit(target)
            if split.scheme or split.netloc or not split.path.startswith("/"):
                continue
            if split.path.startswith(SKIP):
                continue
            queue.append((split.path + (f"?{split.query}" if split.query else ""), url))
    return broken, visited


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
