"""The loop's remaining actions through do_event_action: void, park/unpark (挂账, clock stopped),
extensions, 督办, send-back — each with its refused roles, the outsider (404) and missing input (400)."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import DomainError, NotFound, PermissionRefused
from grid.tests import test_event_support as support
from grid.tests.test_event_support import act, at, report
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures


def refused(
    event: Any, action: str, people: dict[str, Any], expected: dict[str, type[Exception]], **kw: Any
) -> None:
    for who, error in expected.items():
        with pytest.raises(error):
            act(event, action, people, who, at(3, 2, 10, 45), **kw)


def test_void_tells_the_resident(people: dict[str, Any]) -> None:
    event = report(people, who=None, reporter_phone="13812348000")
    refused(
        event,
        "void",
        people,
        {"hq_grid": PermissionRefused, "hq_agency": PermissionRefused, "wt_grid": NotFound},
        reason="重复反映",
    )
    with pytest.raises(DomainError) as no_reason:
        act(event, "void", people, "dispatcher", at(3, 2, 10))
    assert no_reason.value.field == "reason"
    event = act(event, "void", people, "dispatcher", at(3, 2, 10), reason="不属于城市管理问题")
    assert event.work_item.state == "voided" and event.closure_level == ""
    told = OutboxMessage.objects.get(kind="grid.event_void")
    assert told.channel == "sms" and told.address == "13812348000" and event.receipt_number in told.body


@pytest.fixture
def handling(people: dict[str, Any]) -> Any:
    """Signed by hq_agency Mon 10:30: handling due 16:00 (4 working hours)."""
    event = report(people, now=at(3, 2, 9))
    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 10))
    event = act(event, "sign", people, "hq_agency", at(3, 2, 10, 30))
    assert event.work_item.step_due_at == at(3, 2, 16)
    return event


def test_park_stops_the_clock_and_unpark_carries_the_rest(people: dict[str, Any], handling: Any) -> None:
    refused(
        handling,
        "park",
        people,
        {"hq_agency": PermissionRefused, "hq_grid": PermissionRefused, "wt_grid": NotFound},
        reason="等待汛期结束",
    )
    event = act(handling, "park", people, "dispatcher", at(3, 2, 11), reason="等待汛期结束")
    item = event.work_item
    assert item.state == "parked" and item.paused_at == at(3, 2, 11) and item.step_due_at is None
    assert item.paused_remaining_seconds == 3.5 * 3600
    event = act(event, "unpark", people, "dispatcher", at(3, 3, 9))
    # 3.5 working hours from Tue 09:00: 09:00–12:00, 13:30–14:00.
    assert event.work_item.state == "handling" and event.work_item.step_due_at == at(3, 3, 14)


def test_extension_requested_approved_and_rejected(people: dict[str, Any], handling: Any) -> None:
    refused(
        handling,
        "request_extension",
        people,
        {"dispatcher": PermissionRefused, "hq_officer": PermissionRefused, "wt_grid": NotFound},
        reason="需采购设备",
    )
    with pytest.raises(DomainError) as no_reason:
        act(handling, "request_extension", people, "hq_agency", at(3, 2, 11))
    assert no_reason.value.field == "reason"
    event = act(handling, "request_extension", people, "hq_agency", at(3, 2, 11), reason="需采购设备")
    assert event.work_item.state == "extension_requested" and event.work_item.step_due_at == at(3, 2, 16)
    refused(event, "approve_extension", people, {"hq_agency": PermissionRefused, "wt_grid": NotFound})
    event = act(event, "approve_extension", people, "dispatcher", at(3, 2, 11, 30))
    # +2 working days from the Monday 16:00 deadline: Tue (1), Wed (2), end of work.
    assert event.work_item.state == "handling" and event.work_item.step_due_at == at(3, 4, 17, 30)
    event = act(event, "request_extension", people, "hq_agency", at(3, 2, 13, 45), reason="还需要一天")
    with pytest.raises(DomainError) as no_reason:
        act(event, "reject_extension", people, "dispatcher", at(3, 2, 14))
    assert no_reason.value.field == "reason"
    event = act(event, "reject_extension", people, "dispatcher", at(3, 2, 14), reason="时间已足够")
    assert event.work_item.state == "handling" and event.work_item.step_due_at == at(3, 4, 17, 30)


def test_supervise_and_send_back_from_handling(people: dict[str, Any], handling: Any) -> None:
    refused(
        handling,
        "supervise",
        people,
        {"hq_agency": PermissionRefused, "hq_grid": PermissionRefused, "wt_grid": NotFound},
    )
    event = act(handling, "supervise", people, "dispatcher", at(3, 2, 15))
    assert event.work_item.state == "handling" and event.work_item.step_due_at == at(3, 2, 16)  # clock kept
    refused(
        event,
        "send_back",
        people,
        {"hq_officer": PermissionRefused, "dispatcher": PermissionRefused, "wt_grid": NotFound},
        reason="非本单位",
    )
    with pytest.raises(DomainError) as no_reason:
        act(event, "send_back", people, "hq_agency_colleague", at(3, 2, 15, 30))
    assert no_reason.value.field == "reason"
    event = act(event, "send_back", people, "hq_agency_colleague", at(3, 2, 15, 30), reason="属于执法事项")
    assert event.work_item.state == "filed"
