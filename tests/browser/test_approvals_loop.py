"""Issue 5 in Chromium. `test_approvals_loop`: the issue's whole loop (see its docstring).
`test_rating_pages`: the applicant rates online with a phone code (不满意), the rectification appears for
the centre with its 15-working-day deadline, the clerk calls back and replies, a window rating on the pad,
and the figures page with its chart."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from outbox.models import OutboxMessage
from ratings.models import Rating
from ratings.tests.factories import PHONE, make_application, make_item, make_rating_people
from tests.browser.conftest import PageProblems, log_in, screenshot
from workcalendar.service import add_duration

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


# ------------------------------------------------------------------------------------------- issue 5's loop

# The server's clock for the loop, frozen (the browser keeps today's, which is earlier, so its session
# cookies stay valid). Monday 7 December 2026, 10:00 in Suzhou: intake, corrections asked for at once.
INTAKE_AT = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
# Wednesday 9 December, 10:00: the material arrives and the rest of the loop runs.
RESUME_AT = datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI)
# The intake step (待受理, 2 working days; work hours 08:30–12:00, 13:30–17:30) was due Wednesday 17:30.
# Paused on Monday at 10:00 with 21 working hours left (Monday 6 h + Tuesday 7.5 h + Wednesday 7.5 h);
# resumed Wednesday 10:00 those 21 h run Wednesday 6 h + Thursday 7.5 h + Friday 7.5 h → Friday 11
# December 17:30.
RESUMED_INTAKE_DUE = "2026年12月11日 17:30"
# Rated Wednesday 9 December → 15 working days, the rating day not counted: 10, 11, 14–18, 21–25, 28, 29,
# 30 December (no holiday in between) → the end of work on Wednesday 30 December.
RECTIFICATION_DUE = "2026-12-30 17:30"


def _context_page(browser: Any, problems: PageProblems, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(
        **{"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", **options}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems.attach(page)
    return context, page


def _act(page: Any, action: str) -> None:
    with page.expect_navigation():
        page.click(f"form[data-action={action}] button")


def test_approvals_loop(live_server: Any, browser: Any, personas: dict[str, Any]) -> None:
    """The window clerk takes an application that needs corrections (clock paused), the material arrives
    (clock resumes) and the application is accepted; the district approval bureau reviews, approves and
    delivers an electronic certificate whose QR page says valid; the applicant rates 不满意 online and
    the rectification item appears for the centre with its 15-working-day deadline."""
    import time_machine

    from approvals.testing import LICENCE_CODE, make_approvals
    from core.testing_codes import credit_code
    from licences.reference import do_seed_licence_types

    base = live_server.url
    problems = PageProblems()
    clerk_context, clerk = _context_page(browser, problems)

    with time_machine.travel(INTAKE_AT, tick=False):
        make_approvals(personas, timezone.now())
        do_seed_licence_types(actor=personas["system"], now=timezone.now())
        # 1. Window clerk: intake of 食品经营许可 with the floor plan missing → 一次性告知补正.
        log_in(clerk, base, "hq_clerk", PASSWORD)
        clerk.goto(f"{base}/approvals/window/?centre=320507003-service&item={LICENCE_CODE}")
        clerk.select_option("#id_applicant_kind", "legal")
        clerk.fill("#id_applicant_name", "苏州市相城区黄桥味道小吃店")
        clerk.fill("#id_applicant_number", credit_code(5001, department="9", category="2"))
        clerk.fill("#id_applicant_phone", PHONE)
        clerk.check("input[name=materials][value=营业执照]")
        clerk.check("input[name=decision][value=corrections]")
        clerk.fill("#id_reason", "请补交经营场所平面图（原件 1 份）。")
        screenshot(clerk, "loop-1-window-intake")
        with clerk.expect_navigation():
            clerk.click("form[enctype] button[type=submit]")
        receipt_no = clerk.inner_text("[data-receipt]")
        assert "暂停计时" in clerk.inner_text("[data-state]")
        screenshot(clerk, "loop-2-corrections-paused")

    with time_machine.travel(RESUME_AT, tick=False):
        # 2. Two days later the floor plan arrives: the clock resumes with the time it had left.
        clerk.reload()
        clerk.check("form[data-action=resubmit] input[name=materials][value=经营场所平面图]")
        _act(clerk, "resubmit")
        assert "暂停计时" not in clerk.inner_text("[data-state]")
        assert RESUMED_INTAKE_DUE in clerk.inner_text("[data-time-left]")
        screenshot(clerk, "loop-3-resumed")
        _act(clerk, "accept")
        assert clerk.get_attribute("[data-state]", "data-state") == "reviewing"

        # 3. The district approval bureau reviews, approves and delivers an electronic certificate.
        agency_context, agency = _context_page(browser, problems)
        log_in(agency, base, "district_approver", PASSWORD)
        agency.goto(clerk.url)
        agency.fill("form[data-action=pass_review] textarea[name=reason]", "材料齐全，符合条件。")
        _act(agency, "pass_review")
        _act(agency, "approve")
        agency.select_option("form[data-action=deliver] select[name=method]", "electronic")
        _act(agency, "deliver")
        agency.wait_for_selector("[data-certificate]")
        screenshot(agency, "loop-4-approved-delivered")

        # 4. The certificate's QR page says valid.
        agency.click("[data-certificate]")
        agency.wait_for_selector("[data-status]")
        assert agency.get_attribute("[data-status]", "data-status") == "valid"
        screenshot(agency, "loop-5-verify-valid")
        agency_context.close()

        # 5. The applicant rates the completion 不满意, online with a phone code.
        applicant_context, phone = _context_page(
            browser, problems, viewport={"width": 390, "height": 844}, is_mobile=True
        )
        phone.goto(f"{base}/ratings/rate/")
        phone.fill("#id_receipt_no", receipt_no)
        phone.fill("#id_phone", PHONE)
        phone.click("button[value=send]")
        phone.wait_for_selector("[data-code-sent]")
        phone.fill("#id_code", _sms_code())
        phone.click("button[value=verify]")
        phone.wait_for_url(f"{base}/ratings/rate/form/")
        phone.check("input[name=stage][value=completed]")
        phone.check("input[name=level][value='2']")
        for name in ("overall", "efficiency", "guide_accuracy", "convenience", "usability"):
            phone.check(f"input[name=score_{name}][value='2']")
        phone.fill("#id_comment", "补正告知后又等了两天才受理。")
        phone.click("[data-submit-rating]")
        phone.wait_for_selector("[data-rating-done]")
        screenshot(phone, "loop-6-rated-dissatisfied")
        applicant_context.close()

        # 6. The rectification item appears for the centre with its 15-working-day deadline.
        clerk.goto(f"{base}/ratings/?bad=1&open=1")
        table = clerk.inner_text("[data-ratings-table]")
        assert receipt_no in table and RECTIFICATION_DUE in table
        clerk.click(f"text={receipt_no}")
        assert clerk.inner_text("[data-due]") == RECTIFICATION_DUE
        assert "待回访" in clerk.inner_text("[data-rectification]")
        screenshot(clerk, "loop-7-rectification")
        clerk.goto(f"{base}/work/")
        assert "差评整改" in clerk.inner_text("main")
        screenshot(clerk, "loop-8-work-inbox")
    clerk_context.close()
    assert problems.errors == []
