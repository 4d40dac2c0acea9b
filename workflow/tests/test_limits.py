"""Per-item step limits (`WorkItem.limit_overrides`): set by calling code at start or with a transition,
used whenever the item enters that state with a restarting clock; refused when malformed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from core.errors import DomainError
from workflow.engine import transition
from workflow.models import WorkItem
from workflow.tests.conftest import URBAN, at

pytestmark = pytest.mark.django_db


def test_start_limit_overrides_the_definition(start_item: Callable[..., WorkItem]) -> None:
    # registered: 4 working hours in the YAML; this item gets 2 → Tue 09-29 10:00 + 2 h = 12:00.
    item = start_item(at(2026, 9, 29, 10), limits={"registered": {"amount": 2, "unit": "work_hours"}})
    assert item.step_due_at == at(2026, 9, 29, 12, 0)
    assert item.step_limit_seconds == 2 * 3600
    assert item.limit_overrides == {"registered": {"amount": 2, "unit": "work_hours"}}


def test_override_of_a_later_state_applies_when_entered(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    item = start_item(at(2026, 9, 29, 10), limits={"handling": {"amount": 6, "unit": "work_hours"}})
    assert item.step_due_at == at(2026, 9, 29, 15, 30)  # the YAML's 4 h for registered, unchanged
    item = transition(
        item,
        "dispatch",
        actor=personas["dispatcher"],
        now=at(2026, 9, 30, 10),
        inputs={"assigned_unit": URBAN},
    )
    # 6 working hours from Wed 09-30 10:00: 10:00–12:00 (2), 13:30–17:30 (4) → 17:30 the same day
    # (the YAML would have said 5 working days → 10-13).
    assert item.step_unit == "work_hours"
    assert item.step_due_at == at(2026, 9, 30, 17, 30)


def test_transition_sets_the_limit_of_the_state_it_enters(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    item = start_item(at(2026, 9, 29, 10))
    item = transition(
        item,
        "dispatch",
        actor=personas["dispatcher"],
        now=at(2026, 9, 30, 10),
        inputs={"assigned_unit": URBAN},
        limits={"handling": {"amount": 1, "unit": "work_days"}},
    )
    # Working days count from the next one: 10-01..07 is National Day, so day 1 is Thu 10-08 (the
    # YAML's 5 working days would have ended on 10-13).
    assert item.step_due_at == at(2026, 10, 8, 17, 30)
    item.refresh_from_db()
    assert item.limit_overrides == {"handling": {"amount": 1, "unit": "work_days"}}
    # The limit was not taken from the request inputs.
    assert "limits" not in item.transitions.get(action="dispatch").inputs


@pytest.mark.parametrize(
    "limits",
    [
        {"nowhere": {"amount": 1, "unit": "work_days"}},
        {"closed": {"amount": 1, "unit": "work_days"}},
        {"parked": {"amount": 1, "unit": "work_days"}},
        {"handling": {"amount": 0, "unit": "work_hours"}},  # 0 only as work_days: the same day (即办)
        {"handling": {"amount": -1, "unit": "work_days"}},
        {"handling": {"amount": 2, "unit": "fortnights"}},
        {"handling": {"amount": True, "unit": "work_days"}},
        {"handling": 3},
    ],
)
def test_bad_limits_are_refused(start_item: Callable[..., WorkItem], limits: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as refused:
        start_item(at(2026, 9, 29, 10), limits=limits)
    assert refused.value.field == "limits"
    assert not WorkItem.objects.exists()
