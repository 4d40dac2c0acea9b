"""do_report_event: validation (each bad input names its field), locating, jurisdiction, the receipt number,
the pinned standard, photos judged by content, personal data encrypted at rest, audit and outbox."""

from __future__ import annotations

import re
from typing import Any

import pytest

from audit.models import AuditEvent
from core import pii
from core.errors import DomainError, NotFound, PermissionRefused
from grid.events.report import new_receipt_number
from grid.events.selectors import event_by_receipt, normalize_receipt
from grid.models import EventAttachment, GridEvent
from grid.tests import test_event_support as support
from grid.tests.test_event_support import (
    HQ_GRID,
    HQ_GRID_2,
    HQ_POINT,
    PNG,
    WEBP,
    WT_GRID,
    WT_POINT,
    at,
    photo,
    report,
)
from outbox.models import OutboxMessage
from territory.coords import wgs84_to_gcj02
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures

TEN_MB = 10 * 1024 * 1024


def test_resident_report_is_located_encrypted_audited_and_told_to_the_grid(people: dict[str, Any]) -> None:
    event = report(
        people,
        who=None,
        reporter_name="王先生",
        reporter_phone="138 1234 8000",
        photos=[photo(), photo(PNG, "b.png"), photo(WEBP, "c.webp")],
        media_urls=["https://example.org/a.jpg"],
        address="黄桥路1号",
    )
    assert event.grid_id == HQ_GRID and event.territory_code == HQ_GRID
    assert event.reporter is None and event.channel == "resident_web"
    assert event.title == "暴露垃圾（黄桥路1号）"
    assert re.fullmatch(r"SJ260302[0-9A-HJKMNP-TV-Z]{8}", event.receipt_number)
    # Personal data: encrypted, hashed, never in the clear in the row or the audit trail.
    assert "13812348000" not in event.reporter_phone_encrypted
    assert pii.decrypt(event.reporter_phone_encrypted) == "13812348000"
    assert event.reporter_phone_hash == pii.lookup_hash("13812348000")
    audit = AuditEvent.objects.get(action="grid.event_reported", subject_id=str(event.pk))
    assert audit.after is not None and "13812348000" not in str(audit.after)
    assert audit.after["reporter_phone"] == "138****8000"
    assert audit.actor_id == people["system"].pk
    # The work item: started by the system user for the resident, in state reported.
    item = WorkItem.objects.get(subject_type="grid.gridevent", subject_id=str(event.pk))
    assert item == event.work_item and item.state == "reported" and item.territory_code == HQ_GRID
    # Photos by content, with a server-chosen name and a content hash; the link kept as a link.
    kinds = sorted(EventAttachment.objects.filter(event=event).values_list("content_type", flat=True))
    assert kinds == ["", "image/jpeg", "image/png", "image/webp"]
    stored = EventAttachment.objects.filter(event=event, content_type="image/png").get()
    name = stored.file.name or ""
    assert name.startswith("events/") and event.receipt_number in name
    assert len(stored.sha256) == 64 and stored.size == stored.file.size  # re-encoded: metadata dropped
    # The grid's worker hears of a report they did not make.
    assert OutboxMessage.objects.filter(kind="grid.event_reported", recipient=people["hq_grid"]).count() == 1


def test_patrol_report_tells_nobody_and_keeps_the_reporter(people: dict[str, Any]) -> None:
    event = report(people, who="hq_grid")
    assert event.reporter == people["hq_grid"] and event.channel == "patrol"
    assert not OutboxMessage.objects.filter(kind="grid.event_reported").exists()


def test_gcj02_point_is_converted_and_grid_code_wins(people: dict[str, Any]) -> None:
    lon, lat = wgs84_to_gcj02(*HQ_POINT)
    event = report(people, lon=lon, lat=lat, crs="gcj02")
    assert event.grid_id == HQ_GRID
    assert event.lon == pytest.approx(HQ_POINT[0], abs=1e-5) and event.lat == pytest.approx(
        HQ_POINT[1], abs=1e-5
    )
    by_code = report(people, who="dispatcher", lon=None, lat=None, grid_code=HQ_GRID_2)
    assert by_code.grid_id == HQ_GRID_2 and by_code.lon is None and by_code.channel == "hotline"


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"category_code": "9999"}, "category_code"),
    ({"category_code": "01"}, "category_code"),  # a major class
    ({"category_code": "0109", "kind": "component"}, "category_code"),  # 0109 is an event class only
    ({"kind": "thing"}, "kind"),
    ({"description": "   "}, "description"),
    ({"description": "长" * 2001}, "description"),
    ({"lon": 200.0}, "lon"),
    ({"lat": -91.0}, "lat"),
    ({"lat": None}, "lat"),
    ({"lon": None, "lat": None}, "lon"),
    ({"crs": "bd09"}, "crs"),
    ({"lon": 121.5, "lat": 31.2}, "lon"),  # Shanghai: outside every grid
    ({"reporter_phone": "12345678901"}, "reporter_phone"),
    ({"reporter_phone": "1381234800"}, "reporter_phone"),
    ({"photos": [photo(b"GIF89a" + b"\x00" * 20, "a.gif")]}, "photos"),
    ({"photos": [photo(b"\xff\xd8\xff" + b"\x00" * TEN_MB, "big.jpg")]}, "photos"),
    ({"photos": [photo() for _ in range(10)]}, "photos"),
    ({"media_urls": ["ftp://example.org/a.jpg"]}, "media_urls"),
    ({"media_urls": ["javascript:alert(1)"]}, "media_urls"),
    ({"channel": "carrier_pigeon"}, "channel"),
    ({"channel": "patrol"}, "channel"),  # anonymous: only resident channels
    ({"grid_code": "320507003201999", "lon": None, "lat": None}, "grid_code"),
]


def test_bad_input_names_the_field(people: dict[str, Any]) -> None:
    # One database for all the cases (the reference seed is the slow part); each case is a refusal.
    for kwargs, field in BAD_INPUT:
        with pytest.raises(DomainError) as refused:
            report(people, who=None, **kwargs)
        assert (refused.value.status, refused.value.field) == (400, field), kwargs.keys()
    assert not GridEvent.objects.exists() and not EventAttachment.objects.exists()


def test_jurisdiction_and_roles(people: dict[str, Any]) -> None:
    # A grid worker reporting a point in another town's grid: 400 on lon; by grid code: 404.
    with pytest.raises(DomainError) as elsewhere:
        report(people, who="hq_grid", lon=WT_POINT[0], lat=WT_POINT[1])
    assert elsewhere.value.status == 400 and elsewhere.value.field == "lon"
    assert elsewhere.value.message == "该位置不在您负责的网格内。"
    with pytest.raises(NotFound):
        report(people, who="hq_grid", lon=None, lat=None, grid_code=WT_GRID)
    # The neighbouring grid of the same village is not the worker's either.
    with pytest.raises(DomainError):
        report(people, who="hq_grid", lon=None, lat=None, grid_code=HQ_GRID_2, channel="patrol")
    # Roles that do not report, and staff on a resident channel.
    for who in ("hq_agency", "hq_leader", "hq_officer"):
        with pytest.raises(PermissionRefused):
            report(people, who=who, channel="hotline")
    with pytest.raises(PermissionRefused):
        report(people, who="dispatcher", channel="patrol")
    with pytest.raises(DomainError) as resident_channel:
        report(people, who="dispatcher", channel="resident_web")
    assert resident_channel.value.field == "channel"
    assert not GridEvent.objects.exists()


def test_receipt_numbers_are_unique_readable_and_forgiving(people: dict[str, Any]) -> None:
    numbers = {new_receipt_number(at(3, 2)) for _ in range(500)}
    assert len(numbers) == 500
    assert all(re.fullmatch(r"SJ260302[0-9A-HJKMNP-TV-Z]{8}", n) for n in numbers)
    event = report(people, who=None)
    typed = event.receipt_number.lower().replace("0", "o").replace("1", "l")
    assert normalize_receipt(" " + typed[:8] + "-" + typed[8:]) == event.receipt_number
    assert event_by_receipt(typed) == event
    with pytest.raises(NotFound):
        event_by_receipt("SJ260302ZZZZZZZZ")


def test_event_without_standard_row_uses_the_definition_limit(people: dict[str, Any]) -> None:
    from grid.models import CategoryStandard

    CategoryStandard.objects.filter(category__code="0102", category__kind="event").delete()
    event = report(people)
    assert event.standard is None and event.work_item.limit_overrides == {}
