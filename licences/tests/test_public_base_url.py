"""Certificates print PUBLIC_BASE_URL in their QR code and verify link, never a guessed address: without it
issuing, the self-service and every PDF download are refused (`public_base_url_missing`, 503) and nothing is
lost; in development (DEBUG) the address of the request being served stands in for it, on purpose, and a
background issue with no request is still refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from audit.models import AuditEvent
from core.errors import DomainError
from core.pdf import content_hash, pdf_text, qr_svg
from licences import documents
from licences.documents import certificate_pdf
from licences.models import Certificate
from licences.selfservice import do_issue_no_housing_certificate
from licences.tests.conftest import ID_NUMBER, T0, issue
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
PUBLIC = "https://zhili.example.gov.cn"  # the test settings' PUBLIC_BASE_URL
PHONE = "13912345678"


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The context of every certificate PDF rendered (what the QR code and printed address were made of)."""
    contexts: list[dict[str, Any]] = []
    real = documents.render_pdf

    def render(template: str, context: dict[str, Any]) -> bytes:
        contexts.append(context)
        return real(template, context)

    monkeypatch.setattr(documents, "render_pdf", render)
    return contexts


@pytest.fixture
def unconfigured(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = ""
    settings.DEBUG = False


def flat(pdf: bytes) -> str:
    return pdf_text(pdf).replace(" ", "").replace("\n", "")


def test_the_qr_code_and_printed_address_use_public_base_url(
    staff: dict[str, Any], rendered: list[dict[str, Any]]
) -> None:
    certificate = issue(staff)
    url = f"{PUBLIC}/verify/{certificate.identifier}/"
    pdf = certificate_pdf(certificate)
    assert url in flat(pdf) and "localhost" not in flat(pdf)
    for context in rendered:  # at issue (the hash) and on this render
        assert context["verify_url"] == url and context["qr"] == qr_svg(url, scale=3)
    assert content_hash(pdf) == certificate.pdf_hash


def test_issuing_without_public_base_url_is_refused_and_leaves_nothing(
    staff: dict[str, Any], unconfigured: None, rendered: list[dict[str, Any]]
) -> None:
    with pytest.raises(DomainError) as caught:
        issue(staff)
    assert (caught.value.code, caught.value.status) == ("public_base_url_missing", 503)
    assert "PUBLIC_BASE_URL" in caught.value.message and "暂不能出具" in caught.value.message
    assert not Certificate.objects.exists() and rendered == []
    assert not AuditEvent.objects.filter(action="licences.certificate_issued").exists()
    # The self-service's action (no request: a job, a command) is refused the same way.
    with pytest.raises(DomainError) as caught:
        do_issue_no_housing_certificate(name="王小明", id_number=ID_NUMBER, now=T0)
    assert caught.value.code == "public_base_url_missing"


def test_in_development_a_request_with_no_public_base_url_uses_its_own_address(
    client: Client, staff: dict[str, Any], settings: Any, rendered: list[dict[str, Any]]
) -> None:
    settings.PUBLIC_BASE_URL, settings.DEBUG = "", True
    with time_machine.travel(T0, tick=False):
        client.post("/selfservice/no-housing/", {"name": "王小明", "id_number": ID_NUMBER, "phone": PHONE})
        code = re.search(r"\d{6}", OutboxMessage.objects.get(kind="phone_code").body)
        assert code is not None
        response = client.post("/selfservice/no-housing/confirm/", {"action": "confirm", "code": code[0]})
        certificate = Certificate.objects.get()
        url = f"http://testserver/verify/{certificate.identifier}/"  # the address the client used
        assert response.status_code == 200 and str(qr_svg(url, scale=4)) in response.content.decode()
        pdf = client.get(f"/selfservice/certificates/{certificate.identifier}.pdf")
    assert pdf.status_code == 200 and url in flat(pdf.content)
    assert content_hash(pdf.content) == certificate.pdf_hash  # the same address at issue and download
    assert {c["verify_url"] for c in rendered} == {url}
    # Without a request (a background job), development refuses too: no address is guessed.
    with pytest.raises(DomainError) as caught:
        issue(staff)
    assert caught.value.code == "public_base_url_missing"


def test_every_pdf_download_is_refused_without_it(
    client: Client, staff: dict[str, Any], settings: Any, rendered: list[dict[str, Any]]
) -> None:
    certificate = issue(staff)
    rendered.clear()
    settings.PUBLIC_BASE_URL = ""
    client.force_login(staff["hq_clerk"])
    page = client.get(f"/licences/certificates/{certificate.identifier}/pdf")
    assert page.status_code == 503 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert 'data-error="public_base_url_missing"' in html and "暂不能出具证照" in html
    api = client.get(f"/api/v1/licences/certificates/{certificate.identifier}/pdf")
    assert api.status_code == 503
    assert api.json()["errors"][0]["code"] == "public_base_url_missing"
    assert rendered == []
    # The outsider still learns nothing (404 before any rendering question).
    client.force_login(staff["wt_clerk"])
    assert client.get(f"/licences/certificates/{certificate.identifier}/pdf").status_code == 404
    assert client.get(f"/api/v1/licences/certificates/{certificate.identifier}/pdf").status_code == 404


def test_an_english_session_reads_the_refusal_in_english(
    client: Client, staff: dict[str, Any], settings: Any
) -> None:
    certificate = issue(staff)
    settings.PUBLIC_BASE_URL = ""
    client.force_login(staff["hq_clerk"])
    client.cookies["django_language"] = "en"
    html = client.get(f"/licences/certificates/{certificate.identifier}/pdf").content.decode()
    assert "Certificates cannot be issued for now" in html and "PUBLIC_BASE_URL" in html
    assert "暂不能" not in html


def test_the_self_service_refuses_before_sending_or_spending_a_code(
    client: Client, staff: dict[str, Any], settings: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        settings.PUBLIC_BASE_URL = ""
        refused = client.post(
            "/selfservice/no-housing/", {"name": "王小明", "id_number": ID_NUMBER, "phone": PHONE}
        )
        assert refused.status_code == 503 and "PUBLIC_BASE_URL" in refused.content.decode()
        assert not OutboxMessage.objects.exists()  # no SMS sent for a certificate that cannot be issued
        # The address goes missing between the code and its confirmation: the code is kept for later.
        settings.PUBLIC_BASE_URL = PUBLIC
        client.post("/selfservice/no-housing/", {"name": "王小明", "id_number": ID_NUMBER, "phone": PHONE})
        code = re.search(r"\d{6}", OutboxMessage.objects.get(kind="phone_code").body)
        assert code is not None
        settings.PUBLIC_BASE_URL = ""
        confirm = client.post("/selfservice/no-housing/confirm/", {"action": "confirm", "code": code[0]})
        assert confirm.status_code == 503 and not Certificate.objects.exists()
        settings.PUBLIC_BASE_URL = PUBLIC
        issued = client.post("/selfservice/no-housing/confirm/", {"action": "confirm", "code": code[0]})
    assert issued.status_code == 200 and Certificate.objects.count() == 1
    assert f"{PUBLIC}/verify/" in issued.content.decode()
    # The kiosk's download of that certificate is refused like the staff's while the address is missing.
    identifier = Certificate.objects.get().identifier
    settings.PUBLIC_BASE_URL = ""
    with time_machine.travel(T0, tick=False):
        download = client.get(f"/selfservice/certificates/{identifier}.pdf")
    assert download.status_code == 503 and 'data-error="public_base_url_missing"' in download.content.decode()
