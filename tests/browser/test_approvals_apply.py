"""A resident applies online on a 390×844 phone with the materials as uploads: the catalogue fits the screen
and offers no staff template; the phone is verified by SMS code; a file over the limit is caught before
anything is sent; a submission without the household register is refused on that material's field with
everything typed still there; chosen again, the files go through. The centre's clerk then sees each
material with its files and opens them."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from approvals.models import Application
from approvals.testing import CONFIRM_CODE, ID_NUMBER, PDF_BYTES, PHONE, make_approvals
from core.testing import image_bytes
from outbox.models import OutboxMessage
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_SIZE = {"width": 390, "height": 844}
MB = 1024 * 1024


@pytest.fixture
def approvals_setup(personas: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.APPROVALS_UPLOAD_MAX_MB = 1
    return {**personas, **make_approvals(personas, timezone.now())}


def _sms_code() -> str:
    message = OutboxMessage.objects.filter(kind="phone_code").order_by("-id").first()
    assert message is not None
    return "".join(ch for ch in message.body if ch.isdigit())[:6]


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_SIZE["width"]


def _file(name: str, mime: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


def test_resident_applies_with_uploads_on_a_phone(
    browser: Any, page: Any, live_server: Any, approvals_setup: dict[str, Any]
) -> None:
    base = live_server.url
    context = browser.new_context(viewport=PHONE_SIZE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    problems = PageProblems()
    problems.attach(phone)
    try:
        # The catalogue on the phone: stacked rows, no sideways scroll, no staff template.
        phone.goto(f"{base}/approvals/")
        _fits(phone)
        assert phone.locator("[data-catalogue-template]").count() == 0
        assert "下载目录模板" not in phone.inner_text("main")
        phone.locator("table.ap-catalogue").scroll_into_view_if_needed()
        screenshot(phone, "apply-1-catalogue-390")
        phone.click("text=城乡居民基本养老保险参保登记")
        phone.click("text=网上申请")
        phone.wait_for_url(f"**/approvals/apply/{CONFIRM_CODE}/")
        _fits(phone)

        phone.fill("#id_applicant_name", "王秀英")
        phone.fill("#id_applicant_number", ID_NUMBER)
        phone.fill("#id_applicant_phone", PHONE)
        phone.click("button[value=send]")
        phone.wait_for_selector("#id_code")
        phone.fill("#id_code", _sms_code())
        phone.click("button[value=verify]")
        phone.wait_for_selector("[data-phone-verified]")
        screenshot(phone, "apply-2-phone-verified-390")

        # A 1.5 MB scan is over the (test) limit of 1 MB: said at once, and the form is not sent.
        big = _file("户口簿.pdf", "application/pdf", PDF_BYTES + b"0" * (MB + MB // 2))
        phone.set_input_files("#id_materials_1", files=[big])
        hint = phone.locator("[data-upload-hint-for=id_materials_1]")
        assert "超过 1 MB" in hint.inner_text()
        hint.scroll_into_view_if_needed()
        screenshot(phone, "apply-3a-file-too-large-390")
        url = phone.url
        phone.click("[data-submit-application]")
        assert phone.url == url and not Application.objects.exists()

        # Only the ID card (two photos): refused on the household register's field.
        card = [
            _file("正面.jpg", "image/jpeg", image_bytes("JPEG", size=(320, 200), exif_gps=True)),
            _file("反面.jpg", "image/jpeg", image_bytes("JPEG", size=(320, 200), exif_gps=True)),
        ]
        phone.set_input_files("#id_materials_1", files=[])
        phone.set_input_files("#id_materials_0", files=card)
        assert (
            phone.inner_text("[data-upload-hint-for=id_materials_0]") == "已选 2 个文件：正面.jpg、反面.jpg"
        )
        screenshot(phone, "apply-3-files-chosen-390")
        phone.click("[data-submit-application]")
        phone.wait_for_selector("[data-field-error=materials_1]")
        assert phone.inner_text("[data-field-error=materials_1]") == "请上传必需材料：户口簿"
        assert phone.input_value("#id_applicant_name") == "王秀英"
        assert phone.input_value("#id_applicant_number") == ID_NUMBER
        assert phone.locator("[data-files-dropped]").is_visible()
        assert phone.locator("[data-phone-verified]").is_visible()
        _fits(phone)
        phone.locator("#field-materials_1").scroll_into_view_if_needed()
        screenshot(phone, "apply-4-missing-material-390")

        # Chosen again, with the register: submitted.
        phone.set_input_files("#id_materials_0", files=card)
        phone.set_input_files("#id_materials_1", files=[_file("户口簿.pdf", "application/pdf", PDF_BYTES)])
        phone.click("[data-submit-application]")
        phone.wait_for_selector("[data-receipt]")
        app = Application.objects.get()
        assert phone.inner_text("[data-receipt]") == app.receipt_no
        _fits(phone)
        screenshot(phone, "apply-5-submitted-390")
        # The refused post answered 400 on purpose; nothing else may fail.
        problems.errors = [e for e in problems.errors if "400" not in e]
        assert problems.errors == []
    finally:
        context.close()

    # The centre's clerk: each material with its files; they open.
    clerk_problems = PageProblems()
    clerk_problems.attach(page)
    log_in(page, base, "hq_clerk", PASSWORD)
    page.goto(f"{base}/approvals/applications/{app.pk}/")
    rows = page.locator("[data-materials] tr")
    assert rows.count() == 2
    assert "已收" in rows.nth(0).inner_text() and "已收" in rows.nth(1).inner_text()
    links = page.locator("[data-materials] a[data-attachment]")
    assert links.count() == 3
    for index in range(links.count()):
        href = links.nth(index).get_attribute("href")
        response = page.request.get(f"{base}{href}")
        assert response.status == 200
        assert response.headers["content-type"] in ("image/jpeg", "application/pdf")
    screenshot(page, "apply-6-clerk-materials")
    assert clerk_problems.errors == []
