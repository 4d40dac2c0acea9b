"""`media_url` of a resident's photo: a served, public address of the stored photo (re-encoded, EXIF
dropped), through the publication rule of grid.events.publication — only residents' own report photos;
never the storage's /media/ address, which nothing serves."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from grid.models import AttachmentStage, EventAttachment, GridEvent
from open311.tests.conftest import HUANGQIAO_GRID, json_of, report, xml_of

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
MAKE, MODEL = 0x010F, 0x0110


def phone_photo(name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    """A JPEG as a phone takes it: the maker, the model and where it was taken in its EXIF."""
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "PhoneMaker", "Model X"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (31.0, 24.0, 18.0)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _media_url(client: Client, receipt: str) -> str | None:
    (body,) = json_of(client.get(f"/open311/v2/requests/{receipt}.json"))
    return body["media_url"]


def test_the_media_url_of_a_residents_photo_answers_with_the_photo(client: Client, client_key: str) -> None:
    sent = phone_photo()
    assert b"PhoneMaker" in sent.read()
    sent.seek(0)
    receipt = json_of(report(client, media=sent))[0]["service_request_id"]
    photo = EventAttachment.objects.get(event__receipt_number=receipt)

    url = _media_url(client, receipt)
    assert url == f"http://testserver/grid/track/{receipt}/report-photos/{photo.pk}/"
    listed = xml_of(client.get("/open311/v2/requests.xml")).findtext("request/media_url")
    assert listed == url

    response = Client().get(urlsplit(url).path)  # anonymous, no key
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    served = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    image = Image.open(io.BytesIO(served))
    assert image.format == "JPEG" and image.size == (32, 24)
    exif = image.getexif()
    assert MAKE not in exif and MODEL not in exif and not exif.get_ifd(GPS_IFD)
    assert b"PhoneMaker" not in served


def test_a_link_the_client_sent_is_its_media_url(client: Client, client_key: str) -> None:
    receipt = json_of(report(client, media_url="https://example.org/a.jpg"))[0]["service_request_id"]
    assert _media_url(client, receipt) == "https://example.org/a.jpg"


def test_a_staff_report_photo_has_no_media_url_and_is_not_served(
    client: Client, client_key: str, personas: dict[str, Any], now: datetime
) -> None:
    from grid.events.report import do_report_event

    event = do_report_event(
        actor=personas["dispatcher"],
        now=now,
        channel="hotline",
        category_code="0102",
        description="来电反映路口垃圾",
        grid_code=HUANGQIAO_GRID,
        photos=[phone_photo()],
    )
    photo = EventAttachment.objects.get(event=event, stage=AttachmentStage.REPORT)

    assert _media_url(client, event.receipt_number) is None
    assert Client().get(f"/grid/track/{event.receipt_number}/report-photos/{photo.pk}/").status_code == 404


def test_only_the_events_own_photo_is_served_under_its_receipt(client: Client, client_key: str) -> None:
    first = json_of(report(client, media=phone_photo("a.jpg")))[0]["service_request_id"]
    second = json_of(report(client, media=phone_photo("b.jpg")))[0]["service_request_id"]
    photo_of_second = EventAttachment.objects.get(event__receipt_number=second)
    anonymous = Client()

    assert anonymous.get(f"/grid/track/{first}/report-photos/{photo_of_second.pk}/").status_code == 404
    assert anonymous.get(f"/grid/track/{second}/report-photos/{photo_of_second.pk}/").status_code == 200
    # The after-photo address does not serve a report photo, nor the staff address without a login.
    assert anonymous.get(f"/grid/track/{second}/photos/{photo_of_second.pk}/").status_code == 404
    assert anonymous.get(f"/grid/photos/{photo_of_second.pk}/").status_code == 302


def test_bad_addresses_are_404_and_the_photo_is_read_only(client: Client, client_key: str) -> None:
    receipt = json_of(report(client, media=phone_photo()))[0]["service_request_id"]
    photo = EventAttachment.objects.get(event__receipt_number=receipt)
    anonymous = Client()

    assert anonymous.get(f"/grid/track/SJ000000XXXXXXXX/report-photos/{photo.pk}/").status_code == 404
    assert anonymous.get(f"/grid/track/{receipt}/report-photos/{photo.pk + 1000}/").status_code == 404
    assert anonymous.get(f"/grid/track/{receipt}/report-photos/first/").status_code == 404
    assert anonymous.post(f"/grid/track/{receipt}/report-photos/{photo.pk}/").status_code == 405
    assert GridEvent.objects.count() == 1
