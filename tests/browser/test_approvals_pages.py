"""Approval-service pages in Chromium: the public guide (flow chart, QR), one-window intake that needs
corrections (clock paused, then resumed), acceptance, the agency's review and approval, EMS delivery, the
public follow-up by receipt number, and the authorisation report. Each step asserts what the page shows."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from approvals.models import Application
from approvals.testing import LICENCE_CODE, PHONE, make_approvals
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPANY = "91320507000070017U"  # core.testing_codes.credit_code(7001, department="9")


@pytest.fixture
def approvals_setup(personas: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return {**personas, **make_approvals(personas, timezone.now())}


def test_guide_page(
    page: Any, live_server: Any, approvals_setup: dict[str, Any], problems: PageProblems
) -> None:
    page.goto(f"{live_server.url}/approvals/")
    page.click("text=食品经营许可（小餐饮）")
    page.wait_for_url(f"**/approvals/guide/{LICENCE_CODE}/")
    assert page.locator("svg.flow rect").count() == 5
    assert "3. 审查" in (page.locator("svg.flow").text_content() or "")
    assert page.locator(".ap-qr svg").is_visible()
    assert page.locator("text=经营场所平面图").first.is_visible()
    screenshot(page, "approvals-guide")
    assert not problems.errors, problems.errors


def test_window_corrections_review_delivery_and_tracking(
    browser: Any, page: Any, live_server: Any, approvals_setup: dict[str, Any], problems: PageProblems
) -> None:
    from stdnum.cn import uscc

    assert uscc.is_valid(COMPANY)
    base = live_server.url
    log_in(page, base, "hq_clerk", PASSWORD)
    page.goto(f"{base}/approvals/window/")
    page.select_option("#id_pick_item", LICENCE_CODE)
    page.click("text=选定")
    page.select_option("#id_applicant_kind", "legal")
    page.fill("#id_applicant_name", "苏州黄桥小厨餐饮店")
    page.fill("#id_applicant_number", COMPANY)
    page.fill("#id_applicant_phone", PHONE)
    page.check("input[name=materials][value=营业执照]")
    page.check("input[name=decision][value=corrections]")
    screenshot(page, "approvals-window")
    page.click("button:text('提交')")
    page.wait_for_url("**/approvals/applications/*/")
    assert "待补正" in page.locator("[data-state]").inner_text()
    assert "暂停计时" in page.locator("[data-state]").inner_text()
    assert "经营场所平面图" in page.content()
    app = Application.objects.get()

    # the applicant brings the missing plan: corrections received, then accepted
    page.locator("form[data-action=resubmit] input[value=经营场所平面图]").check()
    page.click("form[data-action=resubmit] button")
    page.wait_for_selector("[data-state=submitted]")
    page.click("form[data-action=accept] button")
    page.wait_for_selector("[data-state=reviewing]")
    assert "区行政审批局" in page.content()
    screenshot(page, "approvals-application")

    # the agency reviews and approves
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    approver = context.new_page()
    PageProblems().attach(approver)
    log_in(approver, base, "district_approver", PASSWORD)
    approver.goto(f"{base}/approvals/applications/{app.pk}/")
    approver.fill("form[data-action=pass_review] textarea", "材料齐全，符合条件")
    approver.click("form[data-action=pass_review] button")
    approver.wait_for_selector("[data-state=deciding]")
    approver.click("form[data-action=approve] button")
    approver.wait_for_selector("[data-state=approved]")
    context.close()

    # the clerk mails the licence by EMS
    page.reload()
    page.select_option("#m-deliver", "ems")
    page.fill("#e-deliver", "EA123456789CN")
    page.click("form[data-action=deliver] button")
    page.wait_for_selector("[data-state=completed]")
    assert "EA123456789CN" in page.content()

    # the applicant follows it by receipt number + last 4 digits of the phone, without logging in
    visitor = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    visitor.goto(f"{base}/approvals/track/")
    visitor.fill("#id_receipt_no", app.receipt_no)
    visitor.fill("#id_phone_last4", PHONE[-4:])
    visitor.click("button:text('查询')")
    visitor.wait_for_selector("[data-progress]")
    text = visitor.locator("[data-progress]").inner_text()
    assert "已办结" in text and "准予" in text and "EA123456789CN" in text
    assert COMPANY not in visitor.content()
    screenshot(visitor, "approvals-track")
    assert not problems.errors, problems.errors


def test_report_page(page: Any, live_server: Any, approvals_setup: dict[str, Any]) -> None:
    log_in(page, live_server.url, "dispatcher", PASSWORD)
    page.goto(f"{live_server.url}/approvals/report/")
    row = page.locator("[data-centre='320507105-service']")
    assert "不达标" in row.inner_text()
    screenshot(page, "approvals-report")
    page.wait_for_load_state("networkidle")
