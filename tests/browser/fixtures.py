"""The browser fixtures (one Chromium per test process), registered for the whole suite by the root
conftest (`pytest_plugins`), so app test packages can drive pages too without a second Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PageProblems


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def problems(page: Any) -> PageProblems:
    collected = PageProblems()
    collected.attach(page)
    return collected


@pytest.fixture
def desk_sessions(browser: Any) -> Iterator[Any]:
    """Opens desk-sized pages, each in a session of its own (several people at their desks in one test);
    all closed at the end."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        contexts.append(context)
        opened = context.new_page()
        opened.set_default_timeout(15_000)
        return opened

    yield open_page
    for context in contexts:
        context.close()
