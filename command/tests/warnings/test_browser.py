"""The desk's 预警 panel in Chromium: a town leader lands on the desk, sees the town's red warning with its
evidence, acknowledges it and records the measures taken, without leaving the desk; screenshots at
1440×900."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from accounts.models import User
from accounts.testing import PASSWORD
from command.warnings.actions import do_act_on_warning, evaluate_warnings
from command.warnings.models import EarlyWarning, Level, Rule
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


def test_a_withdrawn_warning_leaves_the_desk_and_says_why_on_the_warnings_page(
    live_server: Any, page: Any, problems: PageProblems, plant: Callable[..., EarlyWarning], now: Any
) -> None:
    """The situation of a handled warning clears: the evaluation withdraws it (自动解除); the desk no longer
    lists it, and the warnings page filtered on 已自动解除 shows the reason and the measures kept."""

    warning = plant("w", level=Level.ORANGE)
    hq_leader = User.objects.get(username="hq_leader")
    do_act_on_warning(warning, "acknowledge", actor=hq_leader, now=now)
    do_act_on_warning(warning, "handle", actor=hq_leader, now=now, inputs={"measures": "已督促派遣积压事件"})
    with time_machine.travel(now, tick=False):
        evaluate_warnings(now=now, rules=[Rule.UNROUTED_BACKLOG])
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "hq_leader", PASSWORD)
    page.wait_for_selector("#cmd-warnings [data-no-warnings]")
    page.goto(f"{live_server.url}/command/warnings/?state=withdrawn")
    row = page.wait_for_selector(f"[data-warning='{warning.pk}'][data-state='withdrawn']")
    text = row.inner_text()
    assert "已自动解除" in text and "预警条件已解除" in text and "已督促派遣积压事件" in text
    screenshot(page, "command-warnings-withdrawn")
    assert problems.errors == []
