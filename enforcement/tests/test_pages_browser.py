"""The officer's case pages on a phone-sized Chromium: the list, the case page with its actions and
record timeline; the officer proposes filing from the page and the squad leader approves it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from enforcement.actions import do_add_record, do_open_case
from enforcement.tests.test_case_flow import ORDINARY
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _open_action(page: Any, action: str) -> None:
    """Only the first action's box starts open; open the one to use, as a person would tap its title."""
    box = page.locator(f'details:has([data-action-form="{action}"])')
    if not box.evaluate("element => element.open"):
        box.locator("summary").click()


def test_case_pages_on_a_phone(live_server: Any, browser: Any, people: dict[str, Any]) -> None:
    now = timezone.now()
    case = do_open_case(dict(ORDINARY), actor=people["hq_officer2"], now=now)
    do_add_record(case, kind="note", title="现场初步核查：三层砖混结构", actor=people["hq_officer2"], now=now)
    base = live_server.url
    problems = PageProblems()
    page = _phone(browser)
    problems.attach(page)
    log_in(page, base, "hq_officer2", PASSWORD)
    page.goto(f"{base}/enforcement/")
    page.wait_for_selector(f'[data-case="{case.pk}"]')
    screenshot(page, "enforcement_cases_phone")
    page.click(f'[data-case="{case.pk}"]')
    page.wait_for_selector("[data-case-page]")
    assert page.locator("[data-state]").inner_text() == "线索核查"
    assert "320507198001011231" not in page.content()
    screenshot(page, "enforcement_case_phone")
    _open_action(page, "propose_filing")
    page.click('[data-action-form="propose_filing"] button[type=submit]')
    page.wait_for_selector('[data-state]:has-text("立案审批")')
    assert page.locator('[data-record] [data-step="propose_filing"]').count() == 1

    leader = _phone(browser)
    problems.attach(leader)
    log_in(leader, base, "hq_squad_leader", PASSWORD)
    leader.goto(f"{base}/enforcement/?view=queue")
    leader.click(f'[data-case="{case.pk}"]')
    _open_action(leader, "approve_filing")
    leader.click('[data-action-form="approve_filing"] button[type=submit]')
    leader.wait_for_selector('[data-state]:has-text("调查取证")')
    screenshot(leader, "enforcement_case_filed_phone")
    assert not problems.errors, problems.errors
