"""Issue 5 in Chromium. `test_rating_pages`: the applicant rates online with a phone code (不满意), the
rectification appears for the centre with its 15-working-day deadline, the clerk calls back and replies,
a window rating on the pad, and the figures page with its chart."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from ratings.models import Rating
from ratings.tests.factories import PHONE, make_application, make_item, make_rating_people
from tests.browser.conftest import PageProblems, log_in, screenshot
from workcalendar.service import add_duration
from workflow.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _sms_code() -> str:
    message = OutboxMessage.objects.filter(kind="phone_code").order_by("-id").first()
    assert message is not None
    return "".join(ch for ch in message.body if ch.isdigit())[:6]


def _fifteen_working_days(start: datetime) -> str:
    """The deadline as the pages show it (local time)."""
    due = add_duration(start, 15, "work_days").at
    return timezone.localtime(due, SHANGHAI).strftime("%Y-%m-%d %H:%M")


def test_rating_pages(live_server: Any, page: Any, browser: Any, personas: dict[str, Any]) -> None:
    base = live_server.url
    problems = PageProblems()
    problems.attach(page)
    people = {**personas, **make_rating_people()}
    now = timezone.now()
    item = make_item("城乡居民基本养老保险参保登记", now=now - timedelta(days=2))
    online_app = make_application(
        centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now - timedelta(hours=2)
    )
    window_app = make_application(
        centre=people["hq_centre"], clerk=people["hq_clerk2"], item=item, now=now - timedelta(hours=1)
    )

    # 1. The applicant, online: receipt number + phone → code → the form; rates 不满意.
    applicant = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = applicant.new_page()
    problems.attach(phone)
    phone.goto(f"{base}/ratings/rate/")
    phone.fill("#id_receipt_no", online_app.receipt_no)
    phone.fill("#id_phone", PHONE)
    phone.click("button[value=send]")
    phone.wait_for_selector("[data-code-sent]")
    phone.fill("#id_code", _sms_code())
    screenshot(phone, "ratings-1-online-code")
    phone.click("button[value=verify]")
    phone.wait_for_url(f"{base}/ratings/rate/form/")
    phone.check("input[name=stage][value=completed]")
    phone.check("input[name=level][value='2']")
    for name, score in (
        ("overall", 2),
        ("efficiency", 1),
        ("guide_accuracy", 3),
        ("convenience", 2),
        ("usability", 4),
    ):
        phone.check(f"input[name=score_{name}][value='{score}']")
    phone.fill("#id_comment", "材料没有一次性告知，跑了两趟。")
    screenshot(phone, "ratings-2-online-form")
    phone.click("[data-submit-rating]")
    phone.wait_for_selector("[data-rating-done]")
    assert "15个工作日内回访" in phone.inner_text("[data-rating-done]")
    screenshot(phone, "ratings-3-online-done")
    applicant.close()
    rating = Rating.objects.get(application=online_app)
    assert rating.rectification is not None

    # 2. The centre's clerk sees the rectification with its deadline, calls back and replies.
    log_in(page, base, "hq_clerk", PASSWORD)
    page.goto(f"{base}/ratings/?bad=1&open=1")
    expected_due = _fifteen_working_days(rating.rated_at)
    assert expected_due in page.inner_text("[data-ratings-table]")
    page.click(f"text={online_app.receipt_no}")
    assert page.inner_text("[data-due]") == expected_due
    page.fill("textarea[name=field_callback_note]", "已电话回访，申请人反映补正告知不清。")
    page.click("form[data-action=callback] button")
    page.wait_for_selector("form[data-action=reply]")
    page.fill("form[data-action=reply] textarea[name=field_outcome]", "已向您致歉，并修订材料告知单。")
    screenshot(page, "ratings-4-rectification")
    page.click("form[data-action=reply] button")
    page.wait_for_selector("text=已整改答复")
    sms = OutboxMessage.objects.get(kind="ratings.rectification_outcome")
    assert sms.address == PHONE and "修订材料告知单" in sms.body

    # 3. The window pad: the applicant taps 非常满意 on the clerk's screen.
    page.goto(f"{base}/ratings/pad/{window_app.pk}/")
    page.check("input[name=stage][value=completed]")
    page.check("input[name=level][value='5']")
    for name in ("overall", "service_efficiency", "service_level", "service_attitude"):
        page.check(f"input[name=score_{name}][value='5']")
    screenshot(page, "ratings-5-pad")
    page.click("[data-submit-rating]")
    page.wait_for_selector("[data-rating-done]")

    # 4. The figures, by clerk: one bad rating rectified on time, one very satisfied.
    leader_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = leader_context.new_page()
    problems.attach(page)
    log_in(page, base, "hq_leader", PASSWORD)
    page.goto(f"{base}/ratings/figures/?by=clerk")
    page.wait_for_selector("#ratings-chart canvas")
    table = page.inner_text("[data-figures-table]")
    assert "黄桥窗口甲" in table and "黄桥窗口乙" in table
    total = page.inner_text("[data-figures-table] tfoot")
    assert "50%" in total  # satisfaction: 1 of 2
    screenshot(page, "ratings-6-figures")
    leader_context.close()
    assert problems.errors == []
