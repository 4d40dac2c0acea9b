"""POST requests.{xml,json}: form-encoded and multipart, attribute[code] and attribute[code][], the
three ways to give a location, and every refusal in the spec's error format."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from core import pii
from grid.models import EventAttachment, GridEvent
from open311.models import RequestToken
from open311.tests.conftest import HUANGQIAO_GRID, LAT, LON, json_of, report, spec_error, xml_of

pytestmark = pytest.mark.django_db


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def test_form_encoded_post_returns_the_receipt_xml(client: Client, client_key: str) -> None:
    response = report(client, "xml", account_id="acct-42")

    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [child.tag for child in request] == ["service_request_id", "token", "service_notice", "account_id"]
    event = GridEvent.objects.get()
    assert request.findtext("service_request_id") == event.receipt_number
    assert request.findtext("account_id") == "acct-42"
    assert "4 工作时" in (request.findtext("service_notice") or "")  # 暴露垃圾, B-class grid
    assert event.channel == "open311"
    assert event.reporter is None
    assert event.grid_id == HUANGQIAO_GRID
    assert event.work_item is not None and event.work_item.state == "reported"
    assert event.attributes["open311"]["attributes"] == {"URGENCY": "normal"}
    assert event.attributes["open311"]["api_key"] == "测试客户端"
    assert AuditEvent.objects.filter(
        action="open311.request_accepted", subject_id=str(RequestToken.objects.get().pk)
    ).exists()


def test_post_json_with_every_attribute_datatype(client: Client, client_key: str) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": client_key,
            "service_code": "E0102",
            "lat": LAT,
            "long": LON,
            "description": "垃圾堆放",
            "attribute[URGENCY]": "urgent",
            "attribute[IMPACT][]": ["pedestrians", "shops"],
            "attribute[FOUND_AT]": "2026-03-02T09:30:00+08:00",
            "attribute[QUANTITY]": "3",
            "attribute[DETAIL]": "靠近公交站",
            "attribute[CONTACT]": "王师傅",
        },
    )

    assert response.status_code == 200, response.content
    (body,) = json_of(response)
    assert set(body) == {"service_request_id", "token", "service_notice", "account_id"}
    assert body["account_id"] is None
    stored = GridEvent.objects.get(receipt_number=body["service_request_id"]).attributes["open311"]
    assert stored["attributes"] == {
        "URGENCY": "urgent",
        "IMPACT": ["pedestrians", "shops"],
        "FOUND_AT": "2026-03-02T09:30:00+08:00",
        "QUANTITY": 3,
        "DETAIL": "靠近公交站",
        "CONTACT": "王师傅",
    }
    assert stored["service_code"] == "E0102"


def test_multivaluelist_accepts_repeated_plain_keys_too(client: Client, client_key: str) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": client_key,
            "service_code": "E0102",
            "lat": LAT,
            "long": LON,
            "description": "垃圾",
            "attribute[URGENCY]": "normal",
            "attribute[IMPACT]": ["vehicles", "residents"],
        },
    )

    assert response.status_code == 200
    assert GridEvent.objects.get().attributes["open311"]["attributes"]["IMPACT"] == ["vehicles", "residents"]


def test_multipart_with_a_photo_and_a_media_url(client: Client, client_key: str) -> None:
    photo = SimpleUploadedFile("garbage.png", png(), content_type="image/png")

    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": client_key,
            "service_code": "E0102",
            "lat": LAT,
            "long": LON,
            "description": "有照片",
            "attribute[URGENCY]": "normal",
            "media": photo,
            "media_url": "https://example.org/photos/1.jpg",
        },
    )

    assert response.status_code == 200, response.content
    event = GridEvent.objects.get()
    attachments = list(EventAttachment.objects.filter(event=event).order_by("id"))
    assert len(attachments) == 2
    assert attachments[0].content_type == "image/png"
    assert attachments[1].url == "https://example.org/photos/1.jpg"


def test_a_file_that_is_no_image_is_refused_naming_media(client: Client, client_key: str) -> None:
    response = report(client, media=SimpleUploadedFile("x.png", b"not an image", content_type="image/png"))

    assert response.status_code == 400
    assert spec_error(response, "json")[1].startswith("media:")
    assert not GridEvent.objects.exists()


def test_personal_data_is_kept_protected(client: Client, client_key: str) -> None:
    response = report(
        client,
        email="Resident@Example.org",
        first_name="小明",
        last_name="王",
        phone="13800138000",
        device_id="device-1",
    )

    assert response.status_code == 200
    event = GridEvent.objects.get()
    assert event.reporter_name == "王小明"
    assert event.reporter_phone_hash == pii.lookup_hash("13800138000")
    assert "13800138000" not in event.reporter_phone_encrypted
    data = event.attributes["open311"]
    assert pii.decrypt(data["email_encrypted"]) == "Resident@Example.org"
    assert data["email_hash"] == pii.lookup_hash("resident@example.org")
    assert data["device_id"] == "device-1"
    listing = client.get("/open311/v2/requests.json").content.decode()
    assert "13800138000" not in listing
    assert "王小明" not in listing
    assert "Resident@Example.org" not in listing


def test_location_by_address_id_is_the_grid_code(client: Client, client_key: str) -> None:
    response = report(client, lat=None, long=None, address_id="320507003201002", address_string="黄桥某路口")

    assert response.status_code == 200, response.content
    event = GridEvent.objects.get()
    assert event.grid_id == "320507003201002"
    assert event.address == "黄桥某路口"
    assert event.lat is None
    (listed,) = json_of(client.get(f"/open311/v2/requests/{event.receipt_number}.json"))
    assert listed["address_id"] == "320507003201002"


def test_location_by_an_address_naming_one_grid(client: Client, client_key: str) -> None:
    response = report(client, lat=None, long=None, address_string="黄桥测试村第2网格 菜场门口")

    assert response.status_code == 200, response.content
    assert GridEvent.objects.get().grid_id == "320507003201002"


@pytest.mark.parametrize(
    "params",
    [
        {"address_string": "苏州市相城区某某路100号"},
        {"address_string": "测试村"},  # names four grids
        {"address_id": "320507003201999"},
    ],
)
def test_an_address_that_cannot_be_located_is_400(
    client: Client, client_key: str, params: dict[str, str]
) -> None:
    response = report(client, lat=None, long=None, **params)

    assert response.status_code == 400
    assert "address" in spec_error(response, "json")[1]
    assert not GridEvent.objects.exists()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_missing_api_key_is_403(client: Client, client_key: str, fmt: str) -> None:
    response = report(client, fmt, api_key=None)

    assert response.status_code == 403
    code, description = spec_error(response, fmt)
    assert code == 403
    assert "api_key" in description


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_api_key_is_403(client: Client, client_key: str, fmt: str) -> None:
    response = report(client, fmt, api_key="not-a-real-key-at-all")

    assert response.status_code == 403
    assert spec_error(response, fmt)[0] == 403


def test_revoked_key_is_403(client: Client, client_key: str, personas: dict[str, Any], now: datetime) -> None:
    from open311.actions import do_revoke_api_key
    from open311.models import ApiKey

    do_revoke_api_key(ApiKey.objects.get(), actor=personas["system"], now=now)

    response = report(client, "xml")

    assert response.status_code == 403
    assert "revoked" in spec_error(response, "xml")[1]
    assert not GridEvent.objects.exists()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_service_code_is_404(client: Client, client_key: str, fmt: str) -> None:
    response = report(client, fmt, service_code="E9999")

    assert response.status_code == 404
    assert "service_code" in spec_error(response, fmt)[1]


def test_missing_service_code_is_400(client: Client, client_key: str) -> None:
    response = report(client, service_code="")

    assert response.status_code == 400
    assert "service_code" in spec_error(response, "json")[1]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_missing_location_is_400(client: Client, client_key: str, fmt: str) -> None:
    response = report(client, fmt, lat=None, long=None)

    assert response.status_code == 400
    code, description = spec_error(response, fmt)
    assert code == 400
    assert "location" in description


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"long": None}, "lat and long"),
        ({"lat": "north"}, "lat"),
        ({"long": "200"}, "long"),
        ({"lat": "31.0", "long": "120.0"}, "long"),  # outside every grid of the district
        ({"phone": "12345"}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"media_url": "ftp://example.org/x.jpg"}, "media_url"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_bad_input_is_400_naming_the_parameter(
    client: Client, client_key: str, params: dict[str, Any], named: str
) -> None:
    response = report(client, **params)

    assert response.status_code == 400, response.content
    assert named in spec_error(response, "json")[1]
    assert not GridEvent.objects.exists()


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"attribute[URGENCY]": "soon"}, "URGENCY"),  # not a listed key
        ({"attribute[COLOUR]": "red"}, "COLOUR"),  # not in the definition
        ({"attribute[NOTICE]": "x"}, "NOTICE"),  # informational only
        ({"attribute[QUANTITY]": "many"}, "QUANTITY"),
        ({"attribute[QUANTITY]": "inf"}, "QUANTITY"),
        ({"attribute[FOUND_AT]": "yesterday"}, "FOUND_AT"),
        ({"attribute[IMPACT][]": ["shops", "moon"]}, "IMPACT"),
        ({"attribute[URGENCY][]": ["normal", "urgent"]}, "URGENCY"),  # one value only
        ({"attribute[CONTACT]": "x" * 201}, "CONTACT"),
        ({"attribute[bad": "1"}, "attribute[bad"),
    ],
)
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_bad_attribute_is_400(
    client: Client, client_key: str, params: dict[str, Any], named: str, fmt: str
) -> None:
    response = report(client, fmt, **params)

    assert response.status_code == 400, response.content
    code, description = spec_error(response, fmt)
    assert code == 400
    assert named in description
    assert not GridEvent.objects.exists()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_generic_client_may_leave_every_attribute_out(client: Client, client_key: str, fmt: str) -> None:
    response = report(client, fmt, **{"attribute[URGENCY]": None})

    assert response.status_code == 200, response.content
    assert GridEvent.objects.get().attributes["open311"]["attributes"] == {"URGENCY": "normal"}


def test_description_may_be_left_out(client: Client, client_key: str) -> None:
    response = report(client, description=None, **{"attribute[DETAIL]": "桥下有垃圾"})

    assert response.status_code == 200
    assert GridEvent.objects.get().description == "桥下有垃圾"


def test_a_naive_found_at_is_read_as_local_time(client: Client, client_key: str) -> None:
    response = report(client, **{"attribute[FOUND_AT]": "2026-03-02T08:00:00"})

    assert response.status_code == 200
    found = GridEvent.objects.get().attributes["open311"]["attributes"]["FOUND_AT"]
    assert found == "2026-03-02T08:00:00+08:00"


def test_the_jurisdiction_id_is_checked_on_post(client: Client, client_key: str) -> None:
    assert report(client, jurisdiction_id="xiangcheng.suzhou.gov.cn").status_code == 200
    response = report(client, jurisdiction_id="elsewhere.gov")
    assert response.status_code == 404
    assert GridEvent.objects.count() == 1


def test_api_key_may_come_in_the_query_string(client: Client, client_key: str) -> None:
    response = client.post(
        f"/open311/v2/requests.json?api_key={client_key}",
        {
            "service_code": "E0102",
            "lat": LAT,
            "long": LON,
            "description": "x",
            "attribute[URGENCY]": "normal",
        },
    )

    assert response.status_code == 200


def test_csrf_is_not_asked_of_api_clients(client_key: str) -> None:
    response = report(Client(enforce_csrf_checks=True))

    assert response.status_code == 200


def test_requested_datetime_is_the_time_of_the_post(client: Client, client_key: str, now: datetime) -> None:
    (body,) = json_of(report(client))
    (listed,) = json_of(client.get(f"/open311/v2/requests/{body['service_request_id']}.json"))
    assert listed["requested_datetime"] == timezone.localtime(now).isoformat(timespec="seconds")
    assert listed["requested_datetime"].endswith("+08:00")
