"""24-hour self-service 无房证明: the action (register check, one per day, audit) and the pages (form →
SMS code → certificate or explanation)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from audit.models import AuditEvent
from core.errors import DomainError
from core.pdf import pdf_text, qr_svg
from licences.imports import do_import_property_records, workbook_of
from licences.models import Certificate, LicenceType
from licences.reference import NO_HOUSING_TYPE_CODE
from licences.selfservice import do_issue_no_housing_certificate
from licences.tests.conftest import ID_NUMBER, OTHER_ID, T0
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def register(staff: dict[str, Any], rows: list[list[Any]]) -> None:
    import io

    do_import_property_records(io.BytesIO(workbook_of(rows)), actor=staff["system"], now=T0)


def property_row(owner_id: str, number: str, cancelled: str = "", code: str = "320507003") -> list[Any]:
    return ["张三", owner_id, "黄桥街道胡湾路88号3幢502室", number, code, 89.5, "2020-05-18", cancelled]


def test_issues_when_no_property_is_registered(staff: dict[str, Any]) -> None:
    register(staff, [property_row(OTHER_ID, "苏(2020)相城区不动产权第0000001号")])
    outcome = do_issue_no_housing_certificate(name="王小明", id_number=ID_NUMBER, now=T0)
    certificate = outcome.certificate
    assert certificate is not None and not outcome.reused
    assert certificate.licence_type.code == NO_HOUSING_TYPE_CODE
    assert certificate.issuer == staff["approval"] and certificate.issued_by == staff["system"]
    assert certificate.valid_until == date(2026, 4, 1)  # 30 days
    assert "王小明在相城区范围内无登记在其名下的住房" in certificate.body[0][1]
    audit = AuditEvent.objects.get(action="licences.certificate_issued", subject_id=str(certificate.pk))
    assert audit.actor_id == staff["system"].pk and audit.subject_type == "licences.certificate"


def test_same_id_same_day_gets_the_same_certificate(staff: dict[str, Any]) -> None:
    first = do_issue_no_housing_certificate(name="王小明", id_number=ID_NUMBER, now=T0).certificate
    again = do_issue_no_housing_certificate(name="王小明", id_number=ID_NUMBER, now=T0 + timedelta(hours=5))
    assert again.reused and again.certificate == first
    assert Certificate.objects.count() == 1
    # The next local day (T0 is 10:00 Shanghai) gives a new one.
    next_day = do_issue_no_housing_certificate(
        name="王小明", id_number=ID_NUMBER, now=T0 + timedelta(hours=15)
    )
    assert next_day.certificate != first and not next_day.reused


def test_refuses_with_masked_addresses_when_a_property_is_active(staff: dict[str, Any]) -> None:
    register(
        staff,
        [
            property_row(ID_NUMBER, "苏(2020)相城区不动产权第0000001号"),
            property_row(ID_NUMBER, "苏(2019)相城区不动产权第0000002号", cancelled="2021-01-01"),
        ],
    )
    outcome = do_issue_no_housing_certificate(name="王小明", id_number=ID_NUMBER, now=T0)
    assert outcome.certificate is None
    assert [p.address for p in outcome.properties] == ["黄桥街道胡湾路**号*幢***室"]
    assert not Certificate.objects.exists()
    audit = AuditEvent.objects.get(action="licences.no_housing_refused")
    assert ID_NUMBER not in str(audit.after)


def test_cancelled_property_does_not_block(staff: dict[str, Any]) -> None:
    register(staff, [property_row(ID_NUMBER, "苏(2019)相城区不动产权第0000002号", cancelled="2021-01-01")])
    assert do_issue_no_housing_certificate(name="王小明", id_number=ID_NUMBER, now=T0).certificate is not None


@pytest.mark.parametrize(
    ("name", "id_number", "field"), [("", ID_NUMBER, "name"), ("王小明", "110105194912310021", "id_number")]
)
def test_bad_input(staff: dict[str, Any], name: str, id_number: str, field: str) -> None:
    with pytest.raises(DomainError) as caught:
        do_issue_no_housing_certificate(name=name, id_number=id_number, now=T0)
    assert caught.value.field == field


def test_unavailable_without_an_issuer(staff: dict[str, Any]) -> None:
    LicenceType.objects.filter(code=NO_HOUSING_TYPE_CODE).update(default_issuer=None)
    with pytest.raises(DomainError) as caught:
        do_issue_no_housing_certificate(name="王小明", id_number=ID_NUMBER, now=T0)
    assert (caught.value.code, caught.value.status) == ("service_unavailable", 503)


# Pages --------------------------------------------------------------------------------------------------


def last_code() -> str:
    message = OutboxMessage.objects.filter(kind="phone_code").order_by("-id").first()
    assert message is not None
    found = re.search(r"\d{6}", message.body)
    assert found
    return found.group(0)


def start(client: Client, **overrides: str) -> Any:
    data = {"name": "王小明", "id_number": ID_NUMBER, "phone": PHONE, **overrides}
    return client.post("/selfservice/no-housing/", data)


def test_home_links_the_services(client: Client) -> None:
    html = client.get("/selfservice/").content.decode()
    assert "/selfservice/no-housing/" in html and "/approvals/track/" in html and "/verify/" in html


def test_whole_flow_gives_a_certificate_and_its_pdf(client: Client, staff: dict[str, Any]) -> None:
    with time_machine.travel(T0, tick=False):
        response = start(client)
        assert response.status_code == 303 and response["Location"] == "/selfservice/no-housing/confirm/"
        page = client.get("/selfservice/no-housing/confirm/").content.decode()
        assert "139****5678" in page
        response = client.post("/selfservice/no-housing/confirm/", {"action": "confirm", "code": last_code()})
    assert response.status_code == 200
    html = response.content.decode()
    certificate = Certificate.objects.get()
    assert "已开具无房证明" in html and certificate.identifier in html
    assert f"/verify/{certificate.identifier}/" in html
    url = f"https://zhili.example.gov.cn/verify/{certificate.identifier}/"  # PUBLIC_BASE_URL (test settings)
    assert str(qr_svg(url, scale=4)) in html and url in html
    assert ID_NUMBER not in html
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):  # the session is dated in frozen time
        pdf = client.get(f"/selfservice/certificates/{certificate.identifier}.pdf")
        # Another browser cannot fetch it by guessing the identifier.
        stranger = Client().get(f"/selfservice/certificates/{certificate.identifier}.pdf")
        finished = client.post("/selfservice/finish/")
        after_finish = client.get(f"/selfservice/certificates/{certificate.identifier}.pdf")
    assert pdf.status_code == 200 and "王小明" in pdf_text(pdf.content).replace(" ", "")
    assert stranger.status_code == 404
    # 结束办理 forgets the visit: the next resident at the kiosk cannot fetch it.
    assert finished.status_code == 303 and after_finish.status_code == 404


def test_flow_explains_a_refusal(client: Client, staff: dict[str, Any]) -> None:
    register(staff, [property_row(ID_NUMBER, "苏(2020)相城区不动产权第0000001号")])
    with time_machine.travel(T0, tick=False):
        start(client)
        response = client.post("/selfservice/no-housing/confirm/", {"action": "confirm", "code": last_code()})
    html = response.content.decode()
    assert "暂不能开具无房证明" in html and "黄桥街道胡湾路**号*幢***室" in html
    assert "88号" not in html and not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"name": ""}, "name"),
    ],
)
def test_start_bad_input_is_400_with_the_field(
    client: Client, staff: dict[str, Any], overrides: dict[str, str], field: str
) -> None:
    response = start(client, **overrides)
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_wrong_code_is_400_and_nothing_issued(client: Client, staff: dict[str, Any]) -> None:
    with time_machine.travel(T0, tick=False):
        start(client)
        wrong = f"{(int(last_code()) + 1) % 1_000_000:06d}"
        response = client.post("/selfservice/no-housing/confirm/", {"action": "confirm", "code": wrong})
    assert response.status_code == 400 and 'data-field-error="code"' in response.content.decode()
    assert not Certificate.objects.exists()


def test_resend_is_rate_limited(client: Client, staff: dict[str, Any]) -> None:
    with time_machine.travel(T0, tick=False):
        start(client)
        response = client.post("/selfservice/no-housing/confirm/", {"action": "resend"})
    assert response.status_code == 429 and "60秒" in response.content.decode()
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        response = client.post("/selfservice/no-housing/confirm/", {"action": "resend"})
    assert response.status_code == 200 and OutboxMessage.objects.count() == 2


def test_confirm_without_a_started_flow_goes_back(client: Client) -> None:
    response = client.get("/selfservice/no-housing/confirm/")
    assert response.status_code == 302 and response["Location"] == "/selfservice/no-housing/"


def test_code_requests_per_address_are_limited(client: Client, staff: dict[str, Any], settings: Any) -> None:
    settings.LICENCES_CODES_PER_ADDRESS_HOUR = 2
    assert start(client).status_code == 303
    assert start(client, phone="13800138000").status_code == 303
    response = start(client, phone="13700137000")
    assert response.status_code == 429 and "过于频繁" in response.content.decode()
    assert OutboxMessage.objects.count() == 2
