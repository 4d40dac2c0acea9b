"""The desk's 预警 panel in Chromium: a town leader lands on the desk, sees the town's red warning with its
evidence, acknowledges it and records the measures taken, without leaving the desk; screenshots at
1440×900."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.testing import PASSWORD
from command.warnings.models import EarlyWarning, Level
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_acknowledges_and_handles_a_warning_on_the_desk(
    live_server: Any, page: Any, problems: PageProblems, plant: Callable[..., EarlyWarning]
) -> None:
    red = plant("r", level=Level.RED)
    yellow = plant("y", level=Level.YELLOW)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "hq_leader", PASSWORD)
    row = page.wait_for_selector(f"[data-warning='{red.pk}']")
    assert "红色预警" in row.inner_text() and "待派遣件数" in row.inner_text()
    assert page.locator("#cmd-warnings [data-warning]").nth(1).get_attribute("data-warning") == str(yellow.pk)
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '预警')")
    page.wait_for_load_state("networkidle")
    screenshot(page, "command-warnings-panel")
    page.click(f"[data-warning='{red.pk}'] [data-action='acknowledge']")
    page.wait_for_selector(f"[data-warning='{red.pk}'][data-state='acknowledged']")
    page.fill(f"[data-warning='{red.pk}'] input[name=measures]", "已派城管中队现场清理")
    page.click(f"[data-warning='{red.pk}'] [data-action='handle']")
    handled = page.wait_for_selector(f"[data-warning='{red.pk}'][data-state='handled']")
    assert "已派城管中队现场清理" in handled.inner_text()
    page.wait_for_load_state("networkidle")
    screenshot(page, "command-warnings-handled")
    red.refresh_from_db()
    assert red.measures == "已派城管中队现场清理"
    assert problems.errors == []
