"""Entering a year's holidays recomputes the open deadlines counted provisionally over it (Monday–Friday
fallback): the finding's case — an item due 2030-01-03 kept that date after 01-03 became a holiday."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import PermissionRefused
from workcalendar.actions import DayEntry, do_import_calendar, do_save_calendar_year
from workcalendar.models import DayKind
from workflow.engine import transition
from workflow.models import Transition, WorkItem
from workflow.recompute import ACTION

from .conftest import URBAN, at

NOW = at(2029, 12, 27)  # Thursday; neither 2029 nor 2030 has holiday data


@pytest.fixture
def due_jan_3(personas: dict[str, Any], start_item: Callable[..., WorkItem]) -> WorkItem:
    """Dispatched Thu 2029-12-27 10:00: 5 working days on the fallback = 12-28, 12-31, 01-01, 01-02, 01-03."""
    item = start_item(NOW)
    item = transition(
        item,
        "dispatch",
        actor=personas["dispatcher"],
        now=NOW,
        inputs={"assigned_unit": URBAN, "assignee": "hq_agency"},
    )
    assert item.step_due_at == at(2030, 1, 3, 17, 30) and item.deadline_provisional
    return item


def _holidays_2030(actor: Any) -> None:
    do_import_calendar(
        [
            {"date": "2030-01-01", "kind": "holiday", "name": "元旦"},
            {"date": "2030-01-03", "kind": "holiday", "name": "测试假日"},
        ],
        actor=actor,
        now=NOW,
        source_note="测试",
    )


def test_entering_the_holidays_moves_the_deadline_and_clears_the_mark(
    personas: dict[str, Any], due_jan_3: WorkItem
) -> None:
    system = personas["system"]
    # 2029 entered as it is (no holidays): nothing moves, 2030 still provisional, no transition written.
    do_save_calendar_year(2029, [], source_note="测试", actor=system, now=NOW)
    assert not Transition.objects.filter(action=ACTION).exists()
    before = WorkItem.objects.get(pk=due_jan_3.pk)
    _holidays_2030(system)

    item = WorkItem.objects.get(pk=due_jan_3.pk)
    # 12-28 (1), 12-31 (2), 01-01 holiday, 01-02 (3), 01-03 holiday, 01-04 (4), 01-07 (5).
    assert item.step_due_at == at(2030, 1, 7, 17, 30)
    assert item.deadline_provisional is False and item.due_provisional is False
    assert item.warn_at is not None and item.warn_at > before.warn_at  # type: ignore[operator]
    assert item.due_at is not None and item.due_at > before.due_at  # type: ignore[operator]
    assert item.state == before.state and item.version == before.version + 1
    record = Transition.objects.get(item=item, action=ACTION)
    assert (record.from_state, record.to_state, record.actor.is_system) == (item.state, item.state, True)
    assert record.inputs["years"] == [2030]
    assert record.inputs["step_due_at"][1].startswith("2030-01-07T09:30")
    event = AuditEvent.objects.get(action=f"workflow.{ACTION}", subject_id=str(item.pk))
    assert event.after["transition"] == record.pk  # type: ignore[index]


def test_still_provisional_years_keep_the_mark(personas: dict[str, Any], due_jan_3: WorkItem) -> None:
    _holidays_2030(personas["system"])
    item = WorkItem.objects.get(pk=due_jan_3.pk)
    assert item.step_due_at == at(2030, 1, 7, 17, 30)
    assert item.deadline_provisional is True  # 2029 still has no data


def test_the_admin_year_save_is_a_door_too_and_closed_or_paused_items_stay(
    personas: dict[str, Any], due_jan_3: WorkItem, start_item: Callable[..., WorkItem]
) -> None:
    closed = transition(
        start_item(NOW),
        "dispatch",
        actor=personas["dispatcher"],
        now=NOW,
        inputs={"assigned_unit": URBAN, "assignee": "hq_agency"},
    )
    WorkItem.objects.filter(pk=closed.pk).update(closed_at=NOW)  # as if closed: its deadlines are history
    closed.refresh_from_db()
    assert closed.step_due_at == at(2030, 1, 3, 17, 30)
    days = [DayEntry(date=at(2030, 1, 3).date(), kind=DayKind.HOLIDAY, name="测试假日")]
    do_save_calendar_year(2030, days, source_note="测试", actor=personas["system"], now=NOW)
    assert WorkItem.objects.get(pk=due_jan_3.pk).step_due_at == at(2030, 1, 4, 17, 30)
    assert WorkItem.objects.get(pk=closed.pk).step_due_at == closed.step_due_at
    assert not Transition.objects.filter(item=closed, action=ACTION).exists()


def test_who_may_not_enter_holidays_changes_nothing(personas: dict[str, Any], due_jan_3: WorkItem) -> None:
    with pytest.raises(PermissionRefused):
        _holidays_2030(personas["hq_officer"])
    assert WorkItem.objects.get(pk=due_jan_3.pk).step_due_at == at(2030, 1, 3, 17, 30)
    assert not Transition.objects.filter(action=ACTION).exists()
