"""A voucher may be a PDF scan as well as an image: recognised by its first bytes (not its name or declared
type), at most TERRITORIAL_VOUCHER_MAX_MB, stored as pypdf writes it again (nothing after its end, no
unreferenced objects) and refused with active content (JavaScript, launch actions, embedded files) or
encryption, with nothing written; shown as a PDF link to the village's keepers, never published."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from core.errors import DomainError
from core.testing import image_bytes
from territorial import actions, contracts
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import Account, LedgerEntry, Payment
from territorial.scans import clean_scan
from territorial.tests.conftest import NOW, javascript_action, pdf_bytes, pdf_voucher, voucher
from territory.testing import HUANGQIAO_VILLAGE
from workflow.models import WorkItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _files(media: Path) -> set[Path]:
    return {path for path in media.rglob("*") if path.is_file()} if media.exists() else set()


def _scan(data: bytes, name: str = "scan.pdf", content_type: str = "application/pdf") -> Any:
    return clean_scan(
        SimpleUploadedFile(name, data, content_type=content_type), field="voucher", label="凭证"
    )


def _refusal(data: bytes) -> DomainError:
    with pytest.raises(DomainError) as refused:
        _scan(data)
    assert refused.value.field == "voucher"
    return refused.value


def _launch_on_page_open() -> bytes:
    """A page whose open action (/AA /O) starts a program."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    launch = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): launch})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _javascript_in_names_tree() -> bytes:
    """Document-level JavaScript (/Names /JavaScript), run when the document opens."""
    script = javascript_action()
    names = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("x"), script])}
            )
        }
    )
    return pdf_bytes(catalog={"/Names": names})


# ---------------------------------------------------------------------------------------------- the check


def test_a_pdf_is_told_by_its_content_and_stored_without_what_follows_its_end() -> None:
    scan = _scan(
        pdf_bytes(tail=b"<html><script>alert(1)</script></html>"),
        name="receipt.png",
        content_type="image/png",
    )
    assert (scan.content_type, scan.extension) == ("application/pdf", "pdf")
    assert scan.data.startswith(b"%PDF-") and b"<script>" not in scan.data
    assert len(PdfReader(io.BytesIO(scan.data)).pages) == 1
    image = _scan(image_bytes("PNG"), name="receipt.pdf", content_type="application/pdf")
    assert (image.content_type, image.extension) == ("image/png", "png")  # the name says PDF, the bytes PNG


def test_a_benign_open_action_is_kept() -> None:
    """Opening at the first page (a destination, not an action that runs anything) is what scanners write."""
    page_one = ArrayObject([NumberObject(0), NameObject("/Fit")])
    assert _scan(pdf_bytes(catalog={"/OpenAction": page_one})).extension == "pdf"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf_bytes(catalog={"/OpenAction": javascript_action()}), id="javascript-on-open"),
        pytest.param(_javascript_in_names_tree(), id="document-javascript"),
        pytest.param(_launch_on_page_open(), id="launch-on-page-open"),
        pytest.param(_with_attachment(), id="embedded-file"),
        # The same JavaScript action with its names written in #xx escapes, as evasive files do (and the
        # cross-reference offsets now off: the reader rebuilds them).
        pytest.param(
            pdf_bytes(catalog={"/OpenAction": javascript_action()})
            .replace(b"/S /JavaScript", b"/S /J#61vaScript")
            .replace(b"/JS ", b"/J#53 "),
            id="escaped-names",
        ),
    ],
)
def test_active_content_is_refused(data: bytes) -> None:
    assert _refusal(data).code == "pdf_active_content"


def test_encrypted_broken_and_oversized_files_are_refused(settings: Any) -> None:
    assert _refusal(pdf_bytes(password="secret")).code == "pdf_encrypted"
    assert _refusal(b"%PDF-1.7\n this is no PDF at all").code == "invalid_type"
    assert _refusal(b"<html>%PDF-1.7</html>").code == "invalid_type"  # the magic must open the file
    settings.TERRITORIAL_VOUCHER_MAX_MB = 1
    big = pdf_bytes(tail=b"\n%" + b"x" * (1024 * 1024))
    error = _refusal(big)
    assert error.code == "too_large" and "1 MB" in error.message


# ---------------------------------------------------------------------------------------------- actions


def test_a_payment_proposed_with_a_pdf_voucher(
    people: dict[str, Any], funded: Account, clerk: User, media: Path
) -> None:
    payment = do_propose_payment(
        funded, amount="300", payee="甲", purpose="办公用品", voucher=pdf_voucher(), actor=clerk, now=NOW
    )
    assert str(payment.voucher.name).endswith(".pdf") and payment.voucher_is_pdf
    with payment.voucher.open("rb") as stored:
        assert PdfReader(io.BytesIO(stored.read())).pages
    payment = do_review_payment(payment, "committee_settle", actor=people["hq_head"], now=NOW)
    funded.refresh_from_db()
    assert funded.balance == Decimal("19700.00")  # 20,000.00 − 300.00


def test_an_active_pdf_writes_nothing(
    people: dict[str, Any], funded: Account, clerk: User, media: Path
) -> None:
    before = _files(media)
    active = pdf_voucher(pdf_bytes(catalog={"/OpenAction": javascript_action()}))
    with pytest.raises(DomainError) as refused:
        do_propose_payment(
            funded, amount="300", payee="甲", purpose="办公用品", voucher=active, actor=clerk, now=NOW
        )
    assert (refused.value.code, refused.value.field) == ("pdf_active_content", "voucher")
    assert not Payment.objects.exists() and not WorkItem.objects.exists()
    with pytest.raises(DomainError):
        actions.do_record_entry(
            funded,
            direction="in",
            amount="10",
            booked_on=NOW.date(),
            summary="摊位费",
            voucher=pdf_voucher(pdf_bytes(password="x")),
            actor=clerk,
            now=NOW,
        )
    assert LedgerEntry.objects.filter(account=funded).count() == 1  # the fixture's receipt only
    assert _files(media) == before


# ---------------------------------------------------------------------------------------------- pages, API


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_receipt_with_a_pdf_voucher_shows_as_a_pdf_link(
    people: dict[str, Any], funded: Account, clerk: User, media: Path
) -> None:
    url = f"/territorial/organisations/{funded.organisation_id}/"
    form = {
        "account": funded.pk,
        "direction": "in",
        "amount": "800",
        "booked_on": "2026-06-15",
        "summary": "摊位费",
    }
    page = _client(clerk).get(url).content.decode()
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf"' in page
    done = _client(clerk).post(f"{url}entries/", {**form, "voucher": pdf_voucher()})
    assert done.status_code == 302
    entry = LedgerEntry.objects.get(summary="摊位费")
    link = f"/territorial/entries/{entry.pk}/voucher/"
    assert (
        f'href="{link}" data-entry-voucher>凭证 (PDF)</a>'
        in _client(people["hq_head"]).get(url).content.decode()
    )
    got = _client(people["hq_agency"]).get(link)
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Disposition"] == f'inline; filename="receipt-{entry.pk}.pdf"'
    assert _client(people["hq_officer"]).get(link).status_code == 403
    assert _client(people["wt_head"]).get(link).status_code == 404
    active = _client(clerk).post(
        f"{url}entries/", {**form, "summary": "场地费", "voucher": pdf_voucher(_launch_on_page_open())}
    )
    assert active.status_code == 400 and 'data-field-error="voucher"' in active.content.decode()
    assert not LedgerEntry.objects.filter(summary="场地费").exists()


def test_the_payment_page_links_its_pdf_voucher_and_the_public_page_never(
    people: dict[str, Any], funded: Account, clerk: User, media: Path
) -> None:
    payment = do_propose_payment(
        funded,
        amount="300",
        payee="某某保洁公司",
        purpose="河道保洁",
        voucher=pdf_voucher(),
        actor=clerk,
        now=NOW,
    )
    page = _client(people["hq_head"]).get(f"/territorial/payments/{payment.pk}/").content.decode()
    assert (
        f'href="/territorial/payments/{payment.pk}/voucher/" target="_blank" rel="noopener" data-voucher-pdf'
        in page
    )
    assert "data-voucher>" not in page  # no <img> of a PDF
    got = _client(people["hq_head"]).get(f"/territorial/payments/{payment.pk}/voucher/")
    assert got["Content-Type"] == "application/pdf" and got.content.startswith(b"%PDF-")
    assert _client(people["wt_head"]).get(f"/territorial/payments/{payment.pk}/voucher/").status_code == 404
    do_review_payment(payment, "committee_settle", actor=people["hq_head"], now=NOW)
    public = Client().get(f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/6/").content.decode()
    api = Client().get(f"/api/v1/territorial/disclosure/{HUANGQIAO_VILLAGE}/2026/6/").content.decode()
    for shown in (public, api):
        assert "河道保洁" in shown
        assert "/voucher/" not in shown and "territorial/vouchers" not in shown and ".pdf" not in shown


def test_api_takes_a_pdf_voucher_and_refuses_an_active_one(
    people: dict[str, Any], funded: Account, clerk: User, media: Path
) -> None:
    def post(user: User, upload: Any) -> Any:
        client = APIClient()
        client.force_authenticate(user)
        data = {
            "account": funded.pk,
            "amount": "120.00",
            "payee": "甲",
            "purpose": "打印纸",
            "voucher": upload,
        }
        return client.post("/api/v1/territorial/payments/", data, format="multipart")

    refused = post(clerk, pdf_voucher(_with_attachment()))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "pdf_active_content"
    assert refused.json()["errors"][0]["field"] == "voucher"
    assert post(people["wt_head"], pdf_voucher()).status_code == 404
    assert post(people["hq_officer"], pdf_voucher()).status_code == 403
    assert not Payment.objects.exists()
    made = post(clerk, pdf_voucher())
    assert made.status_code == 201
    payment = Payment.objects.get()
    assert (
        made.json()["voucher_url"] == f"/territorial/payments/{payment.pk}/voucher/"
        and payment.voucher_is_pdf
    )


# ---------------------------------------------------------------------------------------------- contract text


def _lease(org: Any, people: dict[str, Any], tenant: Any) -> Any:
    pond = actions.do_record_resource(
        org, name="东鱼塘", kind="water", area_mu="20", outline=SQUARE, actor=people["hq_head"], now=NOW
    )
    return contracts.do_sign_contract(
        org,
        contracts.ContractInput(
            number="HT-D1",
            starts_on=NOW.date(),
            ends_on=NOW.date() + timedelta(days=365),
            annual_price="6000",
            schedule=[(NOW.date(), "3000.00")],
            entity=tenant,
            resource=pond,
        ),
        actor=people["hq_head"],
        now=NOW,
    )


def test_the_signed_contract_scan_is_attached_and_replaced(
    people: dict[str, Any],
    org: Any,
    tenant: Any,
    clerk: User,
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    contract = _lease(org, people, tenant)
    with pytest.raises(DomainError) as missing:
        contracts.do_attach_contract_document(contract, document=None, actor=clerk, now=NOW)
    assert (missing.value.code, missing.value.field) == ("required", "document")
    with pytest.raises(DomainError) as active:
        contracts.do_attach_contract_document(
            contract, document=pdf_voucher(_with_attachment()), actor=clerk, now=NOW
        )
    assert (active.value.code, active.value.field) == ("pdf_active_content", "document")
    with pytest.raises(DomainError) as outsider:
        contracts.do_attach_contract_document(
            contract, document=pdf_voucher(), actor=people["wt_head"], now=NOW
        )
    assert outsider.value.status == 404
    with pytest.raises(DomainError) as officer:
        contracts.do_attach_contract_document(
            contract, document=pdf_voucher(), actor=people["hq_officer"], now=NOW
        )
    assert officer.value.status == 403
    assert _files(media) == set() and not AuditEvent.objects.filter(
        action="territorial.attach_contract_document"
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = contracts.do_attach_contract_document(contract, document=pdf_voucher(), actor=clerk, now=NOW)
    assert first.document_is_pdf and _files(media) == {media / str(first.document.name)}
    with django_capture_on_commit_callbacks(execute=True):
        second = contracts.do_attach_contract_document(
            contract, document=voucher("contract.png"), actor=people["hq_head"], now=NOW
        )
    # the replaced scan is gone once its replacement committed
    assert not second.document_is_pdf and _files(media) == {media / str(second.document.name)}


def test_the_contract_page_takes_and_shows_its_scan(
    people: dict[str, Any], org: Any, tenant: Any, clerk: User, media: Path
) -> None:
    contract = _lease(org, people, tenant)
    url = f"/territorial/contracts/{contract.pk}/"
    page = _client(clerk).get(url).content.decode()
    assert "data-attach-document" in page and "未上传" in page
    refused = _client(clerk).post(f"{url}document/", {"document": pdf_voucher(_launch_on_page_open())})
    assert refused.status_code == 400 and 'data-field-error="document"' in refused.content.decode()
    assert _client(people["wt_head"]).post(f"{url}document/", {"document": pdf_voucher()}).status_code == 404
    assert (
        _client(people["hq_officer"]).post(f"{url}document/", {"document": pdf_voucher()}).status_code == 403
    )
    assert _client(clerk).post(f"{url}document/", {"document": pdf_voucher()}).status_code == 302
    shown = _client(people["hq_head"]).get(url).content.decode()
    assert (
        f'href="{url}document/file/" target="_blank" rel="noopener" data-document-link>查看合同文本 (PDF)'
        in shown
    )
    got = _client(people["hq_agency"]).get(f"{url}document/file/")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert got["Content-Disposition"] == f'inline; filename="contract-{contract.pk}.pdf"'
    assert _client(people["wt_head"]).get(f"{url}document/file/").status_code == 404
    assert _client(people["hq_officer"]).get(f"{url}document/file/").status_code == 403
    public = Client().get(f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/6/").content.decode()
    assert "HT-D1" in public and "document" not in public and "territorial/contracts/" not in public
