"""/api/v1/licences/certificates/…: public status, scoped PDF, revocation."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from core.pdf import pdf_text
from licences.models import Certificate
from licences.tests.conftest import T0, issue

pytestmark = pytest.mark.django_db


def url(certificate: Certificate, suffix: str = "") -> str:
    return f"/api/v1/licences/certificates/{certificate.identifier}/{suffix}"


@pytest.fixture
def certificate(staff: dict[str, Any]) -> Certificate:
    return issue(staff)


def test_status_is_public_and_masked(client: Client, certificate: Certificate) -> None:
    with time_machine.travel(T0, tick=False):
        response = client.get(url(certificate))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "valid" and data["identifier_valid"] is True
    assert data["holder_name"] == "王**"
    assert data["holder_number"] == "110105********002X"
    assert "11010519491231002X" not in response.content.decode()
    assert data["issuer"] == "黄桥街道便民服务中心" and data["issued_on"] == "2026-03-02"


def test_status_of_an_unknown_identifier_is_404(client: Client, certificate: Certificate) -> None:
    response = client.get(url(certificate).replace(".001.", ".002."))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_pdf_for_staff_in_jurisdiction(
    client: Client, staff: dict[str, Any], certificate: Certificate
) -> None:
    client.force_login(staff["hq_agency"])  # any staff whose jurisdiction covers the issuer may download
    response = client.get(f"/api/v1/licences/certificates/{certificate.identifier}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "王小明" in pdf_text(response.content).replace(" ", "")


def test_pdf_refused_to_anonymous_and_outsiders(
    client: Client, staff: dict[str, Any], certificate: Certificate
) -> None:
    path = f"/api/v1/licences/certificates/{certificate.identifier}/pdf"
    assert client.get(path).status_code == 401
    client.force_login(staff["wt_clerk"])
    response = client.get(path)
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


def test_revoke_by_the_issuing_unit(client: Client, staff: dict[str, Any], certificate: Certificate) -> None:
    client.force_login(staff["hq_approver"])
    with time_machine.travel(T0, tick=False):
        response = client.post(
            url(certificate, "revoke/"), {"reason": "材料虚假"}, content_type="application/json"
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked" and response.json()["revoke_reason"] == "材料虚假"
    certificate.refresh_from_db()
    assert certificate.revoked_at == T0


@pytest.mark.parametrize(
    ("who", "status"), [("hq_agency", 403), ("hq_grid", 404), ("wt_clerk", 404), ("wt_grid", 404)]
)
def test_revoke_refused(
    client: Client, staff: dict[str, Any], certificate: Certificate, who: str, status: int
) -> None:
    client.force_login(staff[who])
    response = client.post(
        url(certificate, "revoke/"), {"reason": "材料虚假"}, content_type="application/json"
    )
    assert response.status_code == status
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_revoke_anonymous_is_401(client: Client, certificate: Certificate) -> None:
    response = client.post(url(certificate, "revoke/"), {"reason": "x"}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 501}])
def test_revoke_bad_input_names_the_field(
    client: Client, staff: dict[str, Any], certificate: Certificate, body: dict[str, str]
) -> None:
    client.force_login(staff["hq_clerk"])
    response = client.post(url(certificate, "revoke/"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"


def test_revoke_twice_is_409(client: Client, staff: dict[str, Any], certificate: Certificate) -> None:
    client.force_login(staff["hq_clerk"])
    client.post(url(certificate, "revoke/"), {"reason": "错误颁发"}, content_type="application/json")
    response = client.post(
        url(certificate, "revoke/"), {"reason": "错误颁发"}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "already_revoked"


def test_pdf_without_a_chinese_font_is_a_clear_503(
    client: Client, staff: dict[str, Any], certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("core.pdf.cjk_fonts", lambda: ())
    client.force_login(staff["hq_agency"])
    response = client.get(f"/api/v1/licences/certificates/{certificate.identifier}/pdf")
    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "cjk_font_missing"
