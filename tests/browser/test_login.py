"""A persona logs in through the real login form in Chromium and sees who they are."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.testing import PASSWORD
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_shows_who_i_am(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, Any]
) -> None:
    log_in(page, live_server.url, "hq_agency", PASSWORD)
    body = page.inner_text("main")
    assert "黄桥街道城市管理办公室" in body
    assert "320507003" in body
    screenshot(page, "home")
    assert problems.errors == []


def test_wrong_password_stays_on_login_with_message(
    live_server: Any, page: Any, personas: dict[str, Any]
) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "hq_agency")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "/login/" in page.url
    assert page.locator(".errors").count() == 1
