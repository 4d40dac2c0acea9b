"""The public (anonymous) endpoints: report with a receipt number, track it, rate it once after closure;
rate-limited per client address; no one's personal data in the answers."""

from __future__ import annotations

from typing import Any

import pytest

from core import pii
from grid.models import GridEvent
from grid.tests import test_event_support as support
from grid.tests.test_event_support import HQ_POINT, act, at, client_for, photo, report

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures

REPORTS = "/api/v1/public/reports/"


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "category_code": "0102",
        "description": "小区门口垃圾两天没人收",
        "lon": HQ_POINT[0],
        "lat": HQ_POINT[1],
        "reporter_name": "李女士",
        "reporter_phone": "13912345678",
    }
    values.update(changes)
    return values


def test_report_track_and_rate(people: dict[str, Any]) -> None:
    anonymous = client_for(None)
    created = anonymous.post(REPORTS, body(), format="json")
    assert created.status_code == 201, created.content
    receipt = created.json()["receipt_number"]
    assert created.json()["status"]["state"] == "reported" and created.json()["status"]["status"] == "open"
    event = GridEvent.objects.get(receipt_number=receipt)
    assert event.channel == "resident_web" and event.reporter is None
    assert pii.decrypt(event.reporter_phone_encrypted) == "13912345678"

    status = anonymous.get(f"{REPORTS}{receipt.lower()}/")
    assert status.status_code == 200
    text = status.content.decode()
    assert "13912345678" not in text and "李" not in text and "139****" not in text
    assert status.json()["category"] == {"code": "0102", "name": "暴露垃圾"}
    assert status.json()["rating_allowed"] is False

    early = anonymous.post(f"{REPORTS}{receipt}/rating/", {"rating": 5}, format="json")
    assert early.status_code == 409 and early.json()["errors"][0]["code"] == "not_closed"

    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 10))
    status = anonymous.get(f"{REPORTS}{receipt}/").json()
    assert status["handling_unit"] == "黄桥街道城市管理办公室" and status["state"] == "dispatched"
    event = act(event, "sign", people, "hq_agency", at(3, 2, 10, 30))
    internal = "已约谈当事人王小明（电话13812345678），住12幢401室"
    event = act(
        event,
        "feedback",
        people,
        "hq_agency",
        at(3, 2, 14),
        inputs={"result": internal, "public_reply": "已清运，联系人李小红 13912345678"},
        photos=[photo()],
    )
    act(event, "verify_pass", people, "dispatcher", at(3, 2, 15))

    response = anonymous.get(f"{REPORTS}{receipt}/")
    status = response.json()
    assert status["status"] == "closed" and status["rating_allowed"] is True
    # Only the public reply leaves, scrubbed; the internal result text never does.
    assert status["public_reply"] == "已清运，联系人李** 139****5678"
    assert "outcome" not in status and "王小明" not in response.content.decode()
    bad = anonymous.post(f"{REPORTS}{receipt}/rating/", {"rating": 6}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "rating"
    rated = anonymous.post(f"{REPORTS}{receipt}/rating/", {"rating": 4, "comment": "还行"}, format="json")
    assert (
        rated.status_code == 200 and rated.json()["rating"] == 4 and rated.json()["rating_allowed"] is False
    )
    again = anonymous.post(f"{REPORTS}{receipt}/rating/", {"rating": 5}, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_rated"


def test_consent_to_publish_is_taken_at_report_time(people: dict[str, Any]) -> None:
    anonymous = client_for(None)
    silent = anonymous.post(REPORTS, body(), format="json")
    agreed = anonymous.post(REPORTS, body(publish_consent=True), format="json")
    assert silent.status_code == agreed.status_code == 201
    assert not GridEvent.objects.get(receipt_number=silent.json()["receipt_number"]).publish_consent
    assert GridEvent.objects.get(receipt_number=agreed.json()["receipt_number"]).publish_consent
    bad = anonymous.post(REPORTS, body(publish_consent="maybe"), format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "publish_consent"
    assert GridEvent.objects.count() == 2


def test_multipart_report_with_photo(people: dict[str, Any]) -> None:
    created = client_for(None).post(REPORTS, body(photos=[photo()]), format="multipart")
    assert created.status_code == 201, created.content
    event = GridEvent.objects.get(receipt_number=created.json()["receipt_number"])
    assert event.attachments.get().content_type == "image/jpeg"


def test_refusals(people: dict[str, Any]) -> None:
    anonymous = client_for(None)
    for changes, field in (
        ({"reporter_phone": "110"}, "reporter_phone"),
        ({"lon": 121.5, "lat": 31.2}, "lon"),
        ({"category_code": "0000"}, "category_code"),
        ({"description": ""}, "description"),
        ({"media_urls": ["file:///etc/passwd"]}, "media_urls"),
    ):
        refused = anonymous.post(REPORTS, body(**changes), format="json")
        assert refused.status_code == 400, (changes, refused.content)
        assert refused.json()["errors"][0]["field"] == field
    assert anonymous.get(f"{REPORTS}SJ260302AAAAAAAA/").status_code == 404
    assert (
        anonymous.post(f"{REPORTS}SJ260302AAAAAAAA/rating/", {"rating": 5}, format="json").status_code == 404
    )
    # A staff report is rated by its reporter only, not through the receipt number.
    patrol = report(people, now=at(3, 2, 9))
    act(
        patrol,
        "self_resolve",
        people,
        "hq_grid",
        at(3, 2, 9, 30),
        inputs={"result": "已清理"},
        photos=[photo()],
    )
    refused = anonymous.post(f"{REPORTS}{patrol.receipt_number}/rating/", {"rating": 5}, format="json")
    assert refused.status_code == 403
    assert not GridEvent.objects.exclude(pk=patrol.pk).exists()


def test_rate_limit_per_address(people: dict[str, Any], settings: Any) -> None:
    settings.GRID_PUBLIC_REPORTS_PER_HOUR = 2
    anonymous = client_for(None)
    assert anonymous.post(REPORTS, body(), format="json", REMOTE_ADDR="10.0.0.1").status_code == 201
    assert anonymous.post(REPORTS, body(), format="json", REMOTE_ADDR="10.0.0.1").status_code == 201
    limited = anonymous.post(REPORTS, body(), format="json", REMOTE_ADDR="10.0.0.1")
    assert limited.status_code == 429 and limited.json()["errors"][0]["code"] == "rate_limited"
    assert anonymous.post(REPORTS, body(), format="json", REMOTE_ADDR="10.0.0.2").status_code == 201
    assert GridEvent.objects.count() == 3


def test_rate_limit_ignores_forged_forwarded_for(people: dict[str, Any], settings: Any) -> None:
    settings.GRID_PUBLIC_REPORTS_PER_HOUR = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    anonymous = client_for(None)
    first = anonymous.post(
        REPORTS, body(), format="json", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    forged = anonymous.post(
        REPORTS, body(), format="json", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2.2.2.2"
    )
    assert (first.status_code, forged.status_code) == (201, 429)
    assert forged["Retry-After"].isdigit()
    # Behind the trusted proxy each resident has a bucket of their own; a forged hop on the left is ignored.
    proxied = [
        anonymous.post(REPORTS, body(), format="json", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=hops)
        for hops in ("9.9.9.9, 198.51.100.1", "8.8.8.8, 198.51.100.1", "198.51.100.2")
    ]
    assert [r.status_code for r in proxied] == [201, 429, 201]


def test_public_photos_are_re_encoded_without_gps_and_disguised_html_is_refused(
    people: dict[str, Any],
) -> None:
    import io

    from PIL import Image

    from core.testing import image_bytes
    from grid.models import EventAttachment

    anonymous = client_for(None)
    disguised = photo(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "x.png", "image/png")
    refused = anonymous.post(REPORTS, {**body(), "photos": [disguised]}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["errors"][0] == {
        "code": "invalid_type",
        "message": refused.json()["errors"][0]["message"],
        "field": "photos",
    }
    assert not GridEvent.objects.exists()

    phone_photo = photo(image_bytes("JPEG", exif_gps=True), "IMG_0001.jpg")
    created = anonymous.post(REPORTS, {**body(), "photos": [phone_photo]}, format="multipart")
    assert created.status_code == 201
    stored = EventAttachment.objects.get()
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {} and b"Zhili Phone" not in data
