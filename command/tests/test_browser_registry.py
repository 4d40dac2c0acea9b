"""The 基础信息 group of the town leader's desk in Chromium: under 网格治理, its figures, and one click from
实有人口 to the people behind it, masked; screenshots at 1440×900."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from accounts.testing import PASSWORD
from command.tests import test_streams_registry as registry_tests
from registry.tests import conftest as registry_fixtures
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
people, world, registries = registry_fixtures.people, registry_fixtures.world, registry_tests.registries


def test_leader_reads_the_registries_and_drills_down_to_masked_people(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    registries: dict[str, Any],
    personas: dict[str, User],
) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "hq_leader", PASSWORD)
    page.wait_for_selector("#cmd-trend canvas")  # the landing desk (last 30 days, today's registries)
    page.wait_for_load_state("networkidle")
    group = page.locator("[data-module='grid'] [data-group='registry']")
    assert group.locator("h3").inner_text() == "基础信息（一标三实）"
    assert group.locator("[data-figure='registry_population'] .cmd-value").inner_text().strip() == "5"
    assert group.locator("[data-figure='registry_special_groups'] .cmd-value").inner_text().strip() == "1"
    assert group.locator("a[data-figure='registry_special_groups']").count() == 0  # a number only
    group.scroll_into_view_if_needed()
    screenshot(page, "command-desk-registry")
    group.locator("[data-figure='registry_population']").click()
    page.wait_for_selector("[data-items-count]")
    assert page.locator("[data-item-row]").count() == 5
    text = page.inner_text("table.cmd-items")
    assert "陈**" in text and "陈大文" not in text and "李流动" not in text
    screenshot(page, "command-items-registry")
    assert problems.errors == []
