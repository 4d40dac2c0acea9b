"""transition() and do_start_item(): deadlines a reviewer can check by hand against the 2026 holiday
calendar, the stopped clock, extensions, the checks in their order, and the rows every change writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from outbox.models import OutboxMessage
from workflow.access import available_actions
from workflow.deadlines import time_left, traffic_light
from workflow.engine import transition
from workflow.models import Transition, WorkItem
from workflow.tests.conftest import GRID, URBAN, at

pytestmark = pytest.mark.django_db


def test_start_sets_step_and_overall_deadlines(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    item = start_item(at(2026, 9, 29, 10), actor=personas["hq_grid"])
    assert item.state == "registered"
    # 4 working hours from Tue 09-29 10:00: 10:00–12:00 and 13:30–15:30.
    assert item.step_due_at == at(2026, 9, 29, 15, 30)
    # 15 working days from 09-29 (National Day 10-01..07 off, Sat 10-10 worked): ends Mon 10-26 17:30.
    assert item.due_at == at(2026, 10, 26, 17, 30)
    assert not item.deadline_provisional and not item.due_provisional
    assert item.process_version.version >= 1
    [record] = Transition.objects.filter(item=item)
    assert (record.action, record.from_state, record.to_state) == ("start", "", "registered")
    assert AuditEvent.objects.filter(action="workflow.start", subject_id=str(item.pk)).count() == 1


def test_dispatch_five_working_days_from_2026_09_30_lands_on_10_13(handling_item: WorkItem) -> None:
    item = handling_item
    assert item.state == "handling"
    assert item.assigned_unit is not None and item.assigned_unit.code == URBAN
    assert item.assignee is not None and item.assignee.username == "hq_agency"
    # 10-08 (1), 10-09 (2), Sat 10-10 adjusted working day (3), 10-12 (4), 10-13 (5), end of work 17:30.
    assert item.step_due_at == at(2026, 10, 13, 17, 30)
    # The step's working time: 6 h left on 09-30 after 10:00, plus 5 × 7.5 h = 43.5 h. 80 % of it is
    # 34.8 h: 6 + 7.5 × 3 (10-08, 10-09, 10-10) = 28.5 h, then 6.3 h into Mon 10-12 → 16:18.
    assert item.step_limit_seconds == 43.5 * 3600
    assert item.warn_at == at(2026, 10, 12, 16, 18)
    assert not item.deadline_provisional
    # The dispatch told the new assignee.
    message = OutboxMessage.objects.get(kind="workflow.dispatch")
    assert message.recipient == item.assignee


def test_three_working_days_from_2026_12_30_is_provisional(
    personas: dict[str, Any], handling_item: WorkItem
) -> None:
    item = transition(
        handling_item,
        "submit",
        actor=personas["hq_agency"],
        now=at(2026, 12, 30),
        inputs={"result": "已清理", "attachments": ["photo-1.jpg"]},
    )
    assert item.state == "verifying"
    # 12-31 (1), 2027-01-01 (2, no 2027 data: Mon–Fri fallback), Mon 01-04 (3).
    assert item.step_due_at == at(2027, 1, 4, 17, 30)
    assert item.deadline_provisional is True


def test_traffic_light_and_time_left(handling_item: WorkItem) -> None:
    item = handling_item
    assert traffic_light(item, at(2026, 10, 12, 16, 17)) == "green"
    assert traffic_light(item, at(2026, 10, 12, 16, 18)) == "yellow"
    assert traffic_light(item, at(2026, 10, 13, 17, 30)) == "red"
    left = time_left(item, at(2026, 10, 13, 8, 30))
    assert left is not None and left.seconds == 7.5 * 3600 and left.display == "剩余 1.0 个工作日"
    late = time_left(item, at(2026, 10, 14, 12, 0))
    assert late is not None and late.seconds == -3.5 * 3600 and late.display.startswith("超期")


def test_pause_stops_the_clock_and_resume_carries_the_remaining_time(
    personas: dict[str, Any], handling_item: WorkItem
) -> None:
    agency = personas["hq_agency"]
    item = transition(handling_item, "park", actor=agency, now=at(2026, 10, 9, 9, 30), reason="等待业主返回")
    assert item.state == "parked"
    assert item.step_due_at is None and item.warn_at is None and item.due_at is None
    # Left of the step at 10-09 09:30: 6.5 h that day + 10-10, 10-12, 10-13 at 7.5 h = 29 h.
    assert item.paused_remaining_seconds == 29 * 3600
    assert traffic_light(item, at(2027, 3, 1)) == "green"  # a stopped clock does not age
    item = transition(item, "resume", actor=personas["hq_agency_colleague"], now=at(2026, 10, 15, 8, 30))
    assert item.state == "handling"
    # 29 h from Thu 10-15 08:30: 10-15 7.5, 10-16 7.5, 10-19 7.5 (22.5), then 6.5 h on 10-20 → 16:30.
    assert item.step_due_at == at(2026, 10, 20, 16, 30)
    assert (
        item.paused_at is None
        and item.paused_seconds_total == (at(2026, 10, 15, 8, 30) - at(2026, 10, 9, 9, 30)).total_seconds()
    )
    # Elapsed step time on the resume row is what had been used before the pause:
    # 6 h on 09-30 + 7.5 h on 10-08 + 1 h on 10-09 = 14.5 h (= 43.5 − 29).
    resume = Transition.objects.filter(item=item, action="resume").get()
    assert resume.step_elapsed_seconds == 14.5 * 3600


def test_extension_needs_a_reason_and_an_approval_by_another_role(
    personas: dict[str, Any], handling_item: WorkItem
) -> None:
    agency, dispatcher = personas["hq_agency"], personas["dispatcher"]
    with pytest.raises(DomainError) as missing:
        transition(handling_item, "request_extension", actor=agency, now=at(2026, 10, 12, 9))
    assert (missing.value.status, missing.value.field) == (400, "reason")
    item = transition(
        handling_item, "request_extension", actor=agency, now=at(2026, 10, 12, 9), reason="需协调供电公司"
    )
    assert item.state == "extension_requested"
    assert item.step_due_at == at(2026, 10, 13, 17, 30)  # the clock keeps running while waiting
    with pytest.raises(PermissionRefused):
        transition(item, "approve_extension", actor=agency, now=at(2026, 10, 12, 10))
    item = transition(item, "approve_extension", actor=dispatcher, now=at(2026, 10, 12, 10))
    assert item.state == "handling"
    # Three working days after 10-13: 10-14, 10-15, 10-16 → 10-16 17:30.
    assert item.step_due_at == at(2026, 10, 16, 17, 30)
    assert item.step_limit_seconds == (43.5 + 3 * 7.5) * 3600
    assert traffic_light(item, at(2026, 10, 12, 10)) == "green"


def test_outsider_gets_not_found_before_anything_else(
    personas: dict[str, Any], handling_item: WorkItem
) -> None:
    with pytest.raises(NotFound):
        transition(handling_item, "submit", actor=personas["wt_grid"], now=at(2026, 10, 1))


def test_role_and_actor_rules_refuse_with_403(personas: dict[str, Any], handling_item: WorkItem) -> None:
    with pytest.raises(PermissionRefused) as role:
        transition(handling_item, "park", actor=personas["hq_grid"], now=at(2026, 10, 8), reason="x")
    assert role.value.code == "not_allowed"
    # submit: only the assignee, not a colleague in the same unit.
    with pytest.raises(PermissionRefused) as assignee:
        transition(
            handling_item,
            "submit",
            actor=personas["hq_agency_colleague"],
            now=at(2026, 10, 8),
            inputs={"result": "ok", "attachments": ["a"]},
        )
    assert assignee.value.code == "not_allowed"
    # park: anyone in the assigned unit — the colleague may, an officer of another unit may not.
    assert [a.name for a in available_actions(handling_item, personas["hq_officer"])] == []
    names = {a.name for a in available_actions(handling_item, personas["hq_agency_colleague"])}
    assert {"park", "claim", "request_extension"} <= names and "submit" not in names


def test_invalid_transition_is_409_and_unknown_action_400(
    personas: dict[str, Any], handling_item: WorkItem
) -> None:
    with pytest.raises(Conflict) as conflict:
        transition(handling_item, "close", actor=personas["dispatcher"], now=at(2026, 10, 8))
    assert conflict.value.code == "invalid_transition" and conflict.value.status == 409
    with pytest.raises(DomainError) as unknown:
        transition(handling_item, "teleport", actor=personas["dispatcher"], now=at(2026, 10, 8))
    assert (unknown.value.code, unknown.value.status, unknown.value.field) == (
        "unknown_action",
        400,
        "action",
    )


def test_required_inputs_are_named(personas: dict[str, Any], handling_item: WorkItem) -> None:
    agency = personas["hq_agency"]
    with pytest.raises(DomainError) as no_attachment:
        transition(handling_item, "submit", actor=agency, now=at(2026, 10, 8), inputs={"result": "ok"})
    assert no_attachment.value.field == "inputs.attachments"
    with pytest.raises(DomainError) as no_field:
        transition(handling_item, "submit", actor=agency, now=at(2026, 10, 8), inputs={"attachments": ["a"]})
    assert no_field.value.field == "inputs.result"
    # Nothing was written by the refusals.
    assert Transition.objects.filter(item=handling_item).count() == 2


def test_stale_version_is_409(personas: dict[str, Any], handling_item: WorkItem) -> None:
    stale = WorkItem.objects.get(pk=handling_item.pk)
    transition(handling_item, "claim", actor=personas["hq_agency_colleague"], now=at(2026, 10, 8))
    with pytest.raises(Conflict) as conflict:
        transition(stale, "claim", actor=personas["hq_agency"], now=at(2026, 10, 8))
    assert conflict.value.code == "stale_version"


def test_escalate_moves_the_item_to_the_parent_unit(
    personas: dict[str, Any], handling_item: WorkItem
) -> None:
    item = transition(
        handling_item, "escalate", actor=personas["hq_agency"], now=at(2026, 10, 8), reason="需街道协调"
    )
    assert item.assigned_unit is not None and item.assigned_unit.code == "320507003-gov"
    assert item.assignee is None


def test_dispatch_to_a_unit_outside_jurisdiction_is_refused(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    item = start_item(at(2026, 9, 29), actor=personas["hq_grid"])
    with pytest.raises(DomainError) as bad_unit:
        transition(
            item,
            "dispatch",
            actor=personas["dispatcher"],
            now=at(2026, 9, 30),
            inputs={"assigned_unit": "nope"},
        )
    assert bad_unit.value.field == "inputs.assigned_unit"
    with pytest.raises(DomainError) as bad_person:
        transition(
            item,
            "dispatch",
            actor=personas["dispatcher"],
            now=at(2026, 9, 30),
            inputs={"assigned_unit": URBAN, "assignee": "hq_officer"},
        )
    assert bad_person.value.field == "inputs.assignee"


def test_start_checks_role_territory_and_jurisdiction(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    with pytest.raises(PermissionRefused):
        start_item(at(2026, 9, 29), actor=personas["hq_agency"])
    with pytest.raises(NotFound):
        start_item(at(2026, 9, 29), actor=personas["wt_grid"])
    with pytest.raises(DomainError) as bad:
        start_item(at(2026, 9, 29), territory_code="999999")
    assert bad.value.field == "territory_code"
    with pytest.raises(DomainError) as unknown:
        start_item(at(2026, 9, 29), territory_code=GRID, title="  ")
    assert unknown.value.field == "title"


def test_closing_clears_the_sweeper_columns(personas: dict[str, Any], handling_item: WorkItem) -> None:
    item = transition(
        handling_item,
        "submit",
        actor=personas["hq_agency"],
        now=at(2026, 10, 9),
        inputs={"result": "ok", "attachments": ["a"]},
    )
    item = transition(item, "close", actor=personas["dispatcher"], now=at(2026, 10, 9, 15))
    assert item.closed_at == at(2026, 10, 9, 15)
    assert item.warn_at is None and item.step_due_at is None
    assert traffic_light(item, at(2026, 12, 1)) is None
    assert available_actions(item, personas["dispatcher"]) == []
