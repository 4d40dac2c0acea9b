"""The reports page in Chromium: a town leader finds March's report, downloads the PDF and subscribes to
the monthly report by SMS; a screenshot at 1440×900."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from accounts.testing import PASSWORD
from command.reports.models import ReportSubscription
from command.tests.reports_support import generate
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_town_leader_downloads_and_subscribes(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    personas: dict[str, User],
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    report, _ = generate("320507003")
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "hq_leader", PASSWORD)
    page.click("[data-reports-link]")
    row = page.wait_for_selector(f"[data-report='{report.pk}']")
    assert "黄桥街道" in row.inner_text() and "月报" in row.inner_text()
    with page.expect_download() as download:
        page.click(f"[data-report='{report.pk}'] >> text=PDF")
    assert download.value.suggested_filename == "黄桥街道2026-03月报.pdf"
    form = page.locator("[data-subscribe]")
    form.locator("select[name=channel]").select_option("sms")
    form.locator("input[name=address]").fill("13800138000")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-subscriptions] >> text=138****8000")
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '定期报告')")
    screenshot(page, "command-reports")
    sub = ReportSubscription.objects.get()
    assert (sub.territory_code, sub.kind, sub.channel) == ("320507003", "monthly", "sms")
    assert problems.errors == []
