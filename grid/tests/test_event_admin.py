"""The event admin: read-only, masked personal data, list filters and receipt search."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from grid.tests import test_event_support as support
from grid.tests.test_event_support import photo, report

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures


def test_event_admin_is_read_only_and_masks_the_phone(people: dict[str, Any], admin_client: Client) -> None:
    event = report(people, who=None, reporter_phone="13812348000", reporter_name="张三", photos=[photo()])
    listing = admin_client.get("/admin/grid/gridevent/?channel__exact=resident_web&q=" + event.receipt_number)
    assert listing.status_code == 200 and event.receipt_number in listing.content.decode()
    page = admin_client.get(f"/admin/grid/gridevent/{event.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200 and "138****8000" in text and "13812348000" not in text
    assert event.reporter_phone_encrypted not in text and "张*" in text
    assert admin_client.get("/admin/grid/gridevent/add/").status_code == 403
    posted = admin_client.post(f"/admin/grid/gridevent/{event.pk}/change/", {"title": "改了"})
    assert posted.status_code == 403
    event.refresh_from_db()
    assert event.title != "改了"
