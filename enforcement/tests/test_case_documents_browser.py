"""An archived case's documents on the officer's screen, in Chromium: with documents the 文书 section lists
them and the case file opens as one PDF numbered throughout; without any (filed on paper) it says so."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import time_machine

from accounts.testing import PASSWORD
from core.pdf import pdf_text
from enforcement.cases.publication import do_publish_decision
from enforcement.tests.test_case_flow import at
from enforcement.tests.test_pages_case_documents import summary_case
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_archived_cases_documents_on_screen(live_server: Any, browser: Any, people: dict[str, Any]) -> None:
    with_documents = summary_case(people, documents=True)
    on_paper = summary_case(people, documents=False)
    for case in (with_documents, on_paper):
        do_publish_decision(case, actor=people["hq_officer"], now=at(3, 10))
    base = live_server.url
    problems = PageProblems()
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems.attach(page)
    with time_machine.travel(at(3, 10, 11), tick=True):
        log_in(page, base, "hq_officer", PASSWORD)
        page.goto(f"{base}/enforcement/cases/{with_documents.pk}/")
        section = page.locator("[data-documents]")
        assert section.get_attribute("data-documents-state") == "listed"
        assert section.locator("li").count() == 3
        assert "尚未生成文书" not in page.inner_text("main")
        page.locator("[data-documents]").scroll_into_view_if_needed()
        screenshot(page, "enforcement-archived-case-documents")
        href = page.locator("a[href$='case-file.pdf']").get_attribute("href")
        response = page.request.get(f"{base}{href}")
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        numbers = re.findall(r"案卷第(\d+)页/共(\d+)页", pdf_text(response.body()).replace(" ", ""))
        assert numbers and [int(n) for n, _ in numbers] == list(range(1, len(numbers) + 1))
        assert {int(total) for _, total in numbers} == {len(numbers)}

        page.goto(f"{base}/enforcement/cases/{on_paper.pk}/")
        note = page.locator("[data-documents-state]")
        assert note.inner_text().strip() == "本案无电子文书（纸质归档）。"
        assert "尚未生成文书" not in page.inner_text("main")
        note.scroll_into_view_if_needed()
        screenshot(page, "enforcement-archived-case-on-paper")
    assert not problems.errors, problems.errors
