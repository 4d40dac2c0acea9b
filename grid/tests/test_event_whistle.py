"""吹哨、报到: a village that cannot solve an event hands it to the town's agency with a listed trigger;
the agency signs for it (报到) within the 1 working-hour limit, or the sweeper supervises (督办签收)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.utils import timezone

from core.errors import DomainError, NotFound, PermissionRefused
from grid.tests import test_event_support as support
from grid.tests.test_event_support import URBAN, VILLAGE_UNIT, act, at, report
from outbox.models import OutboxMessage
from workflow.models import Transition
from workflow.sweeper import sweep

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures


@pytest.fixture
def at_village(people: dict[str, Any]) -> Any:
    """Reported 09:00, filed 09:30, dispatched to the village committee 10:00, signed by its head 10:30."""
    event = report(people, now=at(3, 2, 9))
    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 10), inputs={"assigned_unit": VILLAGE_UNIT})
    assert event.level == "village"
    return act(event, "sign", people, "hq_head", at(3, 2, 10, 30))


def test_whistle_village_to_town_then_late_sign_for_is_supervised(
    people: dict[str, Any], at_village: Any
) -> None:
    event = act(
        at_village,
        "whistle",
        people,
        "hq_head",
        at(3, 2, 11),
        reason="需要执法力量，村里处理不了",
        inputs={"trigger": "needs_enforcement", "assigned_unit": URBAN},
    )
    item = event.work_item
    assert item.state == "dispatched" and item.assigned_unit.code == URBAN and item.assignee is None
    assert event.level == "town"
    assert item.step_due_at == at(3, 2, 12)  # 报到 within 1 working hour
    assert item.warn_at == at(3, 2, 11, 48)  # 80 %

    with time_machine.travel(at(3, 2, 11, 50), tick=False):
        report_ = sweep(now=timezone.now())
    assert report_.warned == 1 and report_.overdue == 0
    with time_machine.travel(at(3, 2, 12, 1), tick=False):
        report_ = sweep(now=timezone.now())
    assert report_.overdue == 1 and report_.escalated == 1
    supervised = Transition.objects.get(item=item, action="supervise_sign")
    assert supervised.actor.username == "system" and supervised.to_state == "dispatched"
    told = set(
        OutboxMessage.objects.filter(kind="workflow.supervise_sign").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"hq_agency", "hq_agency_colleague"}
    # Swept once: a second pass does nothing more.
    with time_machine.travel(at(3, 2, 13, 45), tick=False):
        assert sweep(now=timezone.now()).escalated == 0

    # The agency signs for it late, at 14:00: 1.5 working hours used (11:00–12:00, 13:30–14:00).
    event = act(event, "sign", people, "hq_agency", at(3, 2, 14))
    sign = Transition.objects.filter(item=item, action="sign").order_by("-id").first()
    assert sign is not None and sign.step_elapsed_seconds == 1.5 * 3600
    # Handling restarts with the standard's 4 hours: 14:00–17:30 and Tue 08:30–09:00.
    assert event.work_item.step_due_at == at(3, 3, 9)
    whistle = Transition.objects.get(item=item, action="whistle")
    assert whistle.inputs["trigger"] == "needs_enforcement" and whistle.reason


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"trigger": "bored", "assigned_unit": URBAN}, "inputs.trigger"),
        ({"assigned_unit": URBAN}, "inputs.trigger"),
        (
            {"trigger": "emergency", "assigned_unit": "320507-command"},
            "inputs.assigned_unit",
        ),  # skips a level
        (
            {"trigger": "emergency", "assigned_unit": "320507105201-vc"},
            "inputs.assigned_unit",
        ),  # another town
        ({"trigger": "emergency", "assigned_unit": "no-such-unit"}, "inputs.assigned_unit"),
    ],
)
def test_whistle_refuses_bad_input(
    people: dict[str, Any], at_village: Any, inputs: dict[str, str], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        act(at_village, "whistle", people, "hq_head", at(3, 2, 11), reason="需要执法", inputs=inputs)
    assert refused.value.status == 400 and refused.value.field == field
    at_village.refresh_from_db()
    assert at_village.work_item.state == "handling" and at_village.level == "village"


def test_whistle_needs_a_reason_and_the_holding_unit(people: dict[str, Any], at_village: Any) -> None:
    inputs = {"trigger": "emergency", "assigned_unit": URBAN}
    with pytest.raises(DomainError) as no_reason:
        act(at_village, "whistle", people, "hq_head", at(3, 2, 11), inputs=inputs)
    assert no_reason.value.field == "reason"
    for who in ("hq_grid", "hq_agency", "dispatcher"):  # wrong role, or not of the holding unit
        with pytest.raises(PermissionRefused):
            act(at_village, "whistle", people, who, at(3, 2, 11), reason="紧急", inputs=inputs)


def test_town_whistles_to_the_district_and_no_further(people: dict[str, Any], at_village: Any) -> None:
    event = act(
        at_village,
        "whistle",
        people,
        "hq_head",
        at(3, 2, 11),
        reason="需执法",
        inputs={"trigger": "needs_enforcement", "assigned_unit": URBAN},
    )
    event = act(event, "sign", people, "hq_agency", at(3, 2, 11, 30))
    with pytest.raises(DomainError) as down:
        act(
            event,
            "whistle",
            people,
            "hq_agency",
            at(3, 2, 12),
            reason="x",
            inputs={"trigger": "emergency", "assigned_unit": VILLAGE_UNIT},
        )
    assert down.value.field == "inputs.assigned_unit"
    event = act(
        event,
        "whistle",
        people,
        "hq_agency",
        at(3, 2, 13, 30),
        reason="跨部门",
        inputs={"trigger": "beyond_powers", "assigned_unit": "320507-command"},
    )
    assert event.level == "district" and event.work_item.assigned_unit.code == "320507-command"


def test_outsider_cannot_act(people: dict[str, Any], at_village: Any) -> None:
    with pytest.raises(NotFound):
        act(
            at_village,
            "whistle",
            people,
            "wt_grid",
            at(3, 2, 11),
            reason="x",
            inputs={"trigger": "emergency", "assigned_unit": URBAN},
        )
