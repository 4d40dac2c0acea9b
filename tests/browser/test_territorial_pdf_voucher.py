"""A village proposes a payment with a PDF scan of its voucher: a PDF with a script is refused on the form
with nothing written, a plain one is taken, and the payment page links the PDF where an image voucher
shows as a picture; the link opens the stored PDF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from territorial import actions
from territorial.contracts import ContractInput, do_sign_contract
from territorial.models import Payment
from territorial.tests.conftest import (  # noqa: F401 (fixtures)
    clerk,
    funded,
    javascript_action,
    org,
    pdf_bytes,
    people,
    tenant,
)
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_payment_with_a_pdf_voucher(
    live_server: Any,
    desk_sessions: Any,
    media: None,
    people: dict[str, Any],  # noqa: F811
    funded: Any,  # noqa: F811
    clerk: Any,  # noqa: F811
) -> None:
    base = live_server.url
    problems = PageProblems()
    village = desk_sessions()
    problems.attach(village)
    log_in(village, base, "hq_clerk", PASSWORD)
    village.goto(f"{base}/territorial/payments/new/")
    village.select_option("#id_account", str(funded.pk))
    village.fill("#id_amount", "320.00")
    village.fill("#id_payee", "苏州某某文具店")
    village.fill("#id_purpose", "办公用品")
    scripted = pdf_bytes(catalog={"/OpenAction": javascript_action()})
    village.set_input_files(
        "#id_voucher", {"name": "voucher.pdf", "mimeType": "application/pdf", "buffer": scripted}
    )
    village.click("[data-submit-payment]")
    assert "活动内容" in village.inner_text("[data-field-error='voucher']")
    assert not Payment.objects.exists()
    screenshot(village, "territorial-pdf-voucher-refused")
    village.set_input_files(
        "#id_voucher", {"name": "voucher.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    village.click("[data-submit-payment]")
    village.wait_for_url(f"{base}/territorial/payments/*/")
    payment = Payment.objects.get()
    assert payment.voucher_is_pdf
    link = village.locator("[data-voucher-pdf]")
    assert link.is_visible() and "打开 PDF 凭证" in link.inner_text()
    assert village.locator("img[data-voucher]").count() == 0
    screenshot(village, "territorial-pdf-voucher")
    opened = village.request.get(f"{base}{link.get_attribute('href')}")
    assert opened.status == 200 and opened.headers["content-type"] == "application/pdf"
    assert opened.body().startswith(b"%PDF-")
    # The refused proposal answers 400 (and the browser logs that response): expected.
    unexpected = [e for e in problems.errors if "/payments/new/" not in e and "status of 400" not in e]
    assert unexpected == [], problems.errors


def test_a_contract_with_its_signed_scan(
    live_server: Any,
    desk_sessions: Any,
    media: None,
    people: dict[str, Any],  # noqa: F811
    org: Any,  # noqa: F811
    tenant: Any,  # noqa: F811
) -> None:
    base = live_server.url
    problems = PageProblems()
    now = timezone.now()
    today = timezone.localdate(now)
    pond = actions.do_record_resource(
        org, name="东片鱼塘", kind="water", area_mu="12", outline=SQUARE, actor=people["hq_head"], now=now
    )
    contract = do_sign_contract(
        org,
        ContractInput(
            number="HT-2026-09",
            starts_on=today,
            ends_on=today + timedelta(days=365),
            annual_price="8000",
            schedule=[(today + timedelta(days=30), "8000")],
            entity=tenant,
            resource=pond,
        ),
        actor=people["hq_head"],
        now=now,
    )
    head = desk_sessions()
    problems.attach(head)
    log_in(head, base, "hq_head", PASSWORD)
    head.goto(f"{base}/territorial/contracts/{contract.pk}/")
    assert "未上传" in head.inner_text("[data-document]")
    head.set_input_files(
        "#id_document", {"name": "contract.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    head.click("[data-attach-document]")
    head.wait_for_load_state("networkidle")
    assert "查看合同文本 (PDF)" in head.inner_text("[data-document]")
    screenshot(head, "territorial-contract-document")
    assert problems.errors == []
