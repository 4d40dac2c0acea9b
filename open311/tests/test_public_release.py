"""The key-less Open311 list and detail: a resident's description only when they agreed and a moderator
released it (scrubbed); sensitive categories' places rounded to ~100 m; the release action's refusals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from core.errors import Conflict, NotFound, PermissionRefused
from grid.events.publication import do_release_description
from grid.events.report import do_report_event
from grid.models import Category, GridEvent
from open311.tests.conftest import json_of

pytestmark = pytest.mark.django_db

TEXT = "我家楼下堆满垃圾，我是王小明，电话13812345678，住12幢3单元401室"


def resident_report(
    now: datetime, *, consent: bool, lon: float = 120.5551234, lat: float = 31.4051234
) -> GridEvent:
    return do_report_event(
        actor=None,
        now=now,
        channel="resident_web",
        category_code="0102",
        description=TEXT,
        lon=lon,
        lat=lat,
        reporter_name="王小明",
        reporter_phone="13812345678",
        publish_consent=consent,
    )


def detail(client: Client, event: GridEvent) -> dict[str, Any]:
    (body,) = json_of(client.get(f"/open311/v2/requests/{event.receipt_number}.json"))
    return dict(body)


def test_description_needs_consent_and_release_and_leaves_scrubbed(
    client: Client, client_key: str, personas: dict[str, Any], now: datetime
) -> None:
    agreed = resident_report(now, consent=True)
    refused = resident_report(now, consent=False)
    assert detail(client, agreed)["description"] == "" and detail(client, refused)["description"] == ""

    do_release_description(agreed, actor=personas["dispatcher"], now=now)

    shown = detail(client, agreed)["description"]
    assert shown == "我家楼下堆满垃圾，我是王**，电话138****5678，住**幢*单元***室"
    listing = client.get("/open311/v2/requests.json").content.decode()
    assert "13812345678" not in listing and "王小明" not in listing and "401室" not in listing
    audit = AuditEvent.objects.get(action="grid.event_description_released")
    assert audit.actor_id == personas["dispatcher"].pk and audit.subject_id == str(agreed.pk)


def test_release_refusals(client_key: str, personas: dict[str, Any], now: datetime) -> None:
    agreed = resident_report(now, consent=True)
    refused = resident_report(now, consent=False)
    with pytest.raises(NotFound):
        do_release_description(agreed, actor=personas["wt_grid"], now=now)  # the outsider
    with pytest.raises(PermissionRefused):
        do_release_description(agreed, actor=personas["hq_grid"], now=now)  # in town, not a moderator
    with pytest.raises(Conflict) as no_consent:
        do_release_description(refused, actor=personas["dispatcher"], now=now)
    assert no_consent.value.code == "no_consent"
    do_release_description(agreed, actor=personas["dispatcher"], now=now)
    with pytest.raises(Conflict) as twice:
        do_release_description(agreed, actor=personas["dispatcher"], now=now)
    assert twice.value.code == "already_released"
    assert GridEvent.objects.get(pk=refused.pk).description_released_at is None


def test_sensitive_categories_leave_with_rounded_coordinates(
    client: Client, client_key: str, now: datetime
) -> None:
    event = resident_report(now, consent=False)
    exact = detail(client, event)
    assert (exact["lat"], exact["long"]) == (event.lat, event.lon)

    Category.objects.filter(kind="event", code="0102").update(public_location_coarse=True)

    coarse = detail(client, event)
    assert (coarse["lat"], coarse["long"]) == (31.405, 120.555)
    assert str(event.lat) not in client.get("/open311/v2/requests.json").content.decode()
