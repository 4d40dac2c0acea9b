"""Duplicates: candidates within GRID_DUPLICATE_RADIUS_M (50 m) and GRID_DUPLICATE_WINDOW_HOURS (24 h) of
an open event of the same minor class are offered, never merged; linking ends the duplicate's item, and
the original's ending is told to every reporter and shown on the duplicate's public status."""

from __future__ import annotations

import math
from typing import Any

import pytest

from core.errors import DomainError, PermissionRefused
from grid.events.duplicates import bounding_box, haversine_m
from grid.events.rating import do_rate_event
from grid.events.selectors import duplicate_candidates, event_by_receipt, public_status
from grid.tests import test_event_support as support
from grid.tests.test_event_support import HQ_POINT, act, at, photo, report
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures


def east(metres: float) -> tuple[float, float]:
    """HQ_POINT moved `metres` due east."""
    lon, lat = HQ_POINT
    return lon + metres / (111_195.08 * math.cos(math.radians(lat))), lat


def test_distance_helpers() -> None:
    assert haversine_m(120.0, 31.0, 120.0, 32.0) == pytest.approx(111_195, rel=1e-4)
    assert haversine_m(*HQ_POINT, *east(30)) == pytest.approx(30, abs=0.05)
    box = bounding_box(*HQ_POINT, 50)
    assert box.min_lon < east(-50)[0] + 1e-9 and east(50)[0] - 1e-9 < box.max_lon


def test_candidates_by_class_distance_time_and_openness(people: dict[str, Any], settings: Any) -> None:
    original = report(people, now=at(3, 2, 9))
    near = report(people, who=None, now=at(3, 2, 11), lon=east(30)[0], lat=east(30)[1])
    far = report(people, who=None, now=at(3, 2, 11), lon=east(80)[0], lat=east(80)[1])
    other_class = report(people, who=None, now=at(3, 2, 11), category_code="0109")
    later = report(people, who=None, now=at(3, 3, 10), lon=east(10)[0], lat=east(10)[1])
    closed = report(people, now=at(3, 2, 8))
    act(
        closed,
        "self_resolve",
        people,
        "hq_grid",
        at(3, 2, 8, 30),
        inputs={"result": "已清理"},
        photos=[photo()],
    )

    # The window counts both ways (the dispatcher may review either report first): `later` is 23 h
    # after `near` but 25 h after `original`; `far` is 80 m away; `closed` is no longer open.
    assert list(duplicate_candidates(near)) == [original, later]
    assert list(duplicate_candidates(original)) == [near]
    assert list(duplicate_candidates(later)) == [near]
    assert other_class not in duplicate_candidates(near)
    settings.GRID_DUPLICATE_RADIUS_M = 100
    assert set(duplicate_candidates(near)) == {original, far, later}
    settings.GRID_DUPLICATE_WINDOW_HOURS = 1
    assert set(duplicate_candidates(near)) == {far}


def test_link_duplicate_then_close_original_tells_everyone(people: dict[str, Any]) -> None:
    original = report(people, now=at(3, 2, 9))
    duplicate = report(
        people, who=None, now=at(3, 2, 10), reporter_phone="13912345678", lon=east(20)[0], lat=east(20)[1]
    )

    for inputs, field in (
        ({}, "inputs.original"),
        ({"original": "SJ000000AAAAAAAA"}, "inputs.original"),
        ({"original": duplicate.receipt_number}, "inputs.original"),  # itself
    ):
        with pytest.raises(DomainError) as refused:
            act(duplicate, "mark_duplicate", people, "dispatcher", at(3, 2, 10, 30), inputs=inputs)
        assert refused.value.field == field
    with pytest.raises(PermissionRefused):
        act(
            duplicate,
            "mark_duplicate",
            people,
            "hq_grid",
            at(3, 2, 10, 30),
            inputs={"original": original.receipt_number},
        )

    duplicate = act(
        duplicate,
        "mark_duplicate",
        people,
        "dispatcher",
        at(3, 2, 10, 30),
        inputs={"original": original.receipt_number.lower()},
    )
    assert duplicate.duplicate_of == original and duplicate.work_item.state == "duplicate"
    linked = OutboxMessage.objects.get(kind="grid.event_duplicate")
    assert (
        linked.channel == "sms" and linked.address == "13912345678" and original.receipt_number in linked.body
    )
    # A duplicate cannot become an original.
    third = report(people, who=None, now=at(3, 2, 11))
    with pytest.raises(DomainError) as chained:
        act(
            third,
            "mark_duplicate",
            people,
            "dispatcher",
            at(3, 2, 11, 30),
            inputs={"original": str(duplicate.pk)},
        )
    assert chained.value.field == "inputs.original"

    status = public_status(duplicate, now=at(3, 2, 12))
    assert status["status"] == "open" and status["state"] == "reported"
    assert status["duplicate_of"] == original.receipt_number and not status["rating_allowed"]

    act(
        original,
        "self_resolve",
        people,
        "hq_grid",
        at(3, 2, 13, 30),
        inputs={"result": "垃圾已清运，户主张三丰已签字", "public_reply": "垃圾已清运"},
        photos=[photo()],
    )
    told = OutboxMessage.objects.get(kind="grid.event_duplicate_self_resolve")
    assert told.address == "13912345678" and duplicate.receipt_number in told.body
    duplicate = event_by_receipt(duplicate.receipt_number)
    status = public_status(duplicate, now=at(3, 2, 14))
    assert (
        status["status"] == "closed"
        and status["state"] == "closed"
        and status["public_reply"] == "垃圾已清运"
    )
    assert status["rating_allowed"]
    rated = do_rate_event(duplicate, rating=4, now=at(3, 2, 15))
    assert rated.rating == 4
