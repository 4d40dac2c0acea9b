"""The 24-hour self-service in Chromium on a phone-sized screen: the resident asks for a 无房证明, confirms
the SMS code, gets the certificate with its QR code; the verification page at the QR's URL says 有效; the
district approval bureau's approver revokes it and the same page says 已撤销 with the reason."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import OrgUnit, Role
from accounts.testing import PASSWORD, make_org_unit, make_person
from core.pdf import qr_svg
from licences.models import Certificate
from licences.reference import do_seed_licence_types, synthetic_credit_code
from outbox.models import OutboxMessage
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_SIZE = {"width": 390, "height": 844}
RESIDENT_ID = "320507199001011236"


@pytest.fixture
def setup(personas: dict[str, Any], settings: Any, live_server: Any) -> dict[str, Any]:
    settings.PUBLIC_BASE_URL = live_server.url  # the QR code points at this server
    approval = make_org_unit("320507-approval", "相城区行政审批局", OrgUnit.Kind.AGENCY, "320507")
    do_seed_licence_types(
        actor=personas["system"],
        now=timezone.now(),
        no_housing_issuer=approval,
        issuer_credit_code=synthetic_credit_code("11", "320507", "MB176824"),
    )
    return {**personas, "approver": make_person("approval_approver", unit=approval, role=Role.APPROVER)}


def test_self_service_certificate_verify_and_revoke(
    browser: Any, live_server: Any, setup: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=PHONE_SIZE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = PageProblems()
    problems.attach(page)

    page.goto(f"{live_server.url}/selfservice/")
    screenshot(page, "licences-01-selfservice-home")
    page.click("text=开具无房证明")
    page.fill("#id_name", "刘洋")
    page.fill("#id_id_number", RESIDENT_ID)
    page.fill("#id_phone", "13912345678")
    screenshot(page, "licences-02-no-housing-form")
    page.click("button:has-text('获取验证码')")
    page.wait_for_url(f"{live_server.url}/selfservice/no-housing/confirm/")
    assert "139****5678" in page.inner_text("main")

    message = OutboxMessage.objects.get(kind="phone_code", address="13912345678")
    code = re.search(r"\d{6}", message.body)
    assert code
    page.fill("#id_code", code.group(0))
    page.click("button:has-text('验证并开具')")
    page.wait_for_selector("text=已开具无房证明")
    screenshot(page, "licences-03-certificate")

    certificate = Certificate.objects.get()
    verify_url = page.get_attribute("[data-testid=verify-url]", "href")
    assert verify_url == f"{live_server.url}/verify/{certificate.identifier}/"
    # The QR code on the page encodes exactly that URL (segno is deterministic).
    assert qr_svg(verify_url, scale=4).count("<path") == page.locator(".lc-qr svg path").count()
    main_text = page.inner_text("main")
    assert RESIDENT_ID not in main_text and "320507********1236" in main_text

    pdf = page.request.get(f"{live_server.url}/selfservice/certificates/{certificate.identifier}.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    page.goto(verify_url)
    assert page.inner_text(".lc-status") == "有效"
    assert "刘*" in page.inner_text(".lc-facts")
    screenshot(page, "licences-04-verify-valid")
    context.close()

    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = staff.new_page()
    desk.set_default_timeout(20_000)
    problems.attach(desk)
    log_in(desk, live_server.url, "approval_approver", PASSWORD)
    desk.goto(f"{live_server.url}/licences/certificates/")
    desk.click(f"a[href='/licences/certificates/{certificate.identifier}/']")
    desk.fill("#id_reason", "申请人名下有未登记的住房，证明有误")
    desk.click("button:has-text('撤销')")
    desk.wait_for_selector("[data-status=revoked]")
    screenshot(desk, "licences-05-staff-revoked")

    desk.goto(verify_url)
    assert desk.inner_text(".lc-status") == "已撤销"
    assert "申请人名下有未登记的住房，证明有误" in desk.inner_text("main")
    screenshot(desk, "licences-06-verify-revoked")
    staff.close()
    assert problems.errors == []


def test_without_a_public_address_the_resident_is_told_before_any_code(
    browser: Any, live_server: Any, setup: dict[str, Any], settings: Any
) -> None:
    """No PUBLIC_BASE_URL (and no DEBUG): the form answers 503 with the reason, no SMS is sent, and no page
    anywhere shows a localhost address."""
    settings.PUBLIC_BASE_URL = ""
    context = browser.new_context(viewport=PHONE_SIZE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/selfservice/no-housing/")
    page.fill("#id_name", "刘洋")
    page.fill("#id_id_number", RESIDENT_ID)
    page.fill("#id_phone", "13912345678")
    with page.expect_response(f"{live_server.url}/selfservice/no-housing/") as answer:
        page.click("button:has-text('获取验证码')")
    assert answer.value.status == 503
    text = page.inner_text("main")
    assert "暂不能出具带核验二维码的证照" in text and "localhost" not in page.content()
    assert not OutboxMessage.objects.exists() and not Certificate.objects.exists()
    screenshot(page, "licences-07-no-public-address")
    context.close()
