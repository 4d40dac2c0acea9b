"""The link walk used by the link-walk tests: from `/`, follow every same-site link on every page reached
(bounded; one page per URL pattern, digits folded) and report the broken ones (404 or a server error).
Downloads (xlsx, pdf) are followed too; only the admin is left to its own tests."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

from django.test import Client

MAX_PAGES = 120
HREF = re.compile(r'href="([^"#]*)"')
SKIP = ("/static/", "/admin/", "/logout/", "/i18n/", "/api/schema/", "/favicon.ico")


def pattern(url: str) -> str:
    """One page per URL shape: numbers and long codes folded, the query's keys kept, its values not."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return f"{path}?{'&'.join(keys)}"


def walk(client: Client, max_pages: int = MAX_PAGES) -> tuple[dict[str, int], int]:
    """(broken links: url → status, pages visited) from `/`."""
    seen: set[str] = set()
    queue: deque[tuple[str, str]] = deque([("/", "start")])
    broken: dict[str, int] = {}
    visited = 0
    while queue and visited < max_pages:
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
