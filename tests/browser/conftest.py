"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOT_DIR = os.environ.get("ZHILI_SCREENSHOT_DIR", "test-results")

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by fixtures) refuses to run
# beside a loop unless told it is safe, which it is here: the loop only drives the browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class PageProblems:
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("console", self._on_console)

    def _on_request_failed(self, request: Any) -> None:
        # A test that goes on to the next page while the last one still loads its scripts makes Chromium
        # cancel those loads (net::ERR_ABORTED): the test moved on, the page is not broken. A missing file
        # still shows, as an HTTP 404 response.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} {request.failure}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    # Leaders and dispatchers land on the command desk, which fetches its figures: let them finish, so no
    # request is still running on the live server when the test ends and its database goes away.
    page.wait_for_load_state("networkidle")


def screenshot(page: Any, name: str, *, full_page: bool = False) -> str:
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
    page.screenshot(path=path, full_page=full_page)
    return path
