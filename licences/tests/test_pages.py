"""The public verification page and the staff certificate pages (list, detail, PDF, revoke)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from licences.actions import do_revoke_certificate
from licences.models import Certificate
from licences.tests.conftest import ID_NUMBER, T0, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(staff: dict[str, Any]) -> Certificate:
    return issue(staff, valid_until=date(2026, 12, 31))


def verify(client: Client, identifier: str) -> Any:
    return client.get(f"/verify/{identifier}/")


def test_verify_valid_without_login(client: Client, certificate: Certificate) -> None:
    with time_machine.travel(T0, tick=False):
        response = verify(client, certificate.identifier)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in html and "有效" in html
    assert "准予行政许可决定书" in html and "王**" in html and "110105********002X" in html
    assert "黄桥街道便民服务中心" in html and "2026-03-02" in html
    assert ID_NUMBER not in html and "王小明" not in html


def test_verify_lower_case_identifier(client: Client, certificate: Certificate) -> None:
    assert verify(client, certificate.identifier.lower()).status_code == 200


def test_verify_revoked_shows_reason_and_time(
    client: Client, staff: dict[str, Any], certificate: Certificate
) -> None:
    do_revoke_certificate(
        certificate, actor=staff["hq_clerk"], now=T0 + timedelta(hours=1), reason="申请材料虚假"
    )
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        html = verify(client, certificate.identifier).content.decode()
    assert 'data-status="revoked"' in html and "已撤销" in html
    assert "申请材料虚假" in html and "2026-03-02 11:00" in html  # local time


def test_verify_expired(client: Client, certificate: Certificate) -> None:
    with time_machine.travel(T0 + timedelta(days=400), tick=False):
        html = verify(client, certificate.identifier).content.decode()
    assert 'data-status="expired"' in html and "已过期" in html


def test_verify_unknown_is_404_not_existing(client: Client, certificate: Certificate) -> None:
    response = verify(client, "1.2.156.3005.2.X.11100000000013338W.00000001.001.Z")
    assert response.status_code == 404
    assert 'data-status="missing"' in response.content.decode() and "不存在" in response.content.decode()


def test_verify_lookup_form(client: Client, certificate: Certificate) -> None:
    response = client.get("/verify/", {"identifier": f"  {certificate.identifier.lower()} "})
    assert response.status_code == 302 and response["Location"] == f"/verify/{certificate.identifier}/"
    assert client.get("/verify/").status_code == 200


def test_staff_list_is_scoped(client: Client, staff: dict[str, Any], certificate: Certificate) -> None:
    client.force_login(staff["hq_clerk"])
    assert certificate.identifier in client.get("/licences/certificates/").content.decode()
    client.force_login(staff["wt_clerk"])
    assert certificate.identifier not in client.get("/licences/certificates/").content.decode()


def test_staff_list_needs_login(client: Client) -> None:
    assert client.get("/licences/certificates/").status_code == 302


def test_staff_detail_and_pdf(client: Client, staff: dict[str, Any], certificate: Certificate) -> None:
    client.force_login(staff["hq_clerk"])
    page = client.get(f"/licences/certificates/{certificate.identifier}/")
    assert page.status_code == 200 and "撤销证照" in page.content.decode()
    pdf = client.get(f"/licences/certificates/{certificate.identifier}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_staff_detail_hides_revoke_from_those_who_may_not(
    client: Client, staff: dict[str, Any], certificate: Certificate
) -> None:
    client.force_login(staff["hq_agency"])
    page = client.get(f"/licences/certificates/{certificate.identifier}/")
    assert page.status_code == 200 and "撤销证照" not in page.content.decode()


@pytest.mark.parametrize("path", ["", "pdf"])
def test_staff_pages_404_for_outsiders(
    client: Client, staff: dict[str, Any], certificate: Certificate, path: str
) -> None:
    client.force_login(staff["wt_clerk"])
    assert client.get(f"/licences/certificates/{certificate.identifier}/{path}").status_code == 404


def test_revoke_page(client: Client, staff: dict[str, Any], certificate: Certificate) -> None:
    client.force_login(staff["hq_approver"])
    url = f"/licences/certificates/{certificate.identifier}/revoke/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and 'data-field-error="reason"' in response.content.decode()
    response = client.post(url, {"reason": "错误颁发"})
    assert response.status_code == 303
    certificate.refresh_from_db()
    assert certificate.revoke_reason == "错误颁发"


@pytest.mark.parametrize(("who", "status"), [("hq_agency", 403), ("wt_clerk", 404)])
def test_revoke_page_refused(
    client: Client, staff: dict[str, Any], certificate: Certificate, who: str, status: int
) -> None:
    client.force_login(staff[who])
    response = client.post(f"/licences/certificates/{certificate.identifier}/revoke/", {"reason": "错误颁发"})
    assert response.status_code == status
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_staff_list_queries_do_not_grow_with_rows(client: Client, staff: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff["hq_clerk"])
    issue(staff)
    with CaptureQueriesContext(connection) as one:
        client.get("/licences/certificates/")
    issue(staff, holder_name="李四")
    issue(staff, holder_name="赵五")
    with CaptureQueriesContext(connection) as three:
        response = client.get("/licences/certificates/")
    assert response.content.decode().count("/licences/certificates/1.2.156") == 3
    assert len(three) == len(one)
