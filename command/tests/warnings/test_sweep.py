"""A warning nobody acts on is supervised (督办) by the workflow sweeper once its limit (by level) has run
out — once, not on every pass; one acted on in time is not. And the periodic job's evaluation is
idempotent: one situation, one warning, across repeated sweeps and after it was closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import time_machine

from accounts.models import User
from command.warnings.actions import do_act_on_warning, do_raise_warning
from command.warnings.models import EarlyWarning, Level
from outbox.models import OutboxMessage
from workflow.sweeper import sweep

pytestmark = pytest.mark.django_db


def _sweep(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        sweep(now=at)


def _actions(warning: EarlyWarning) -> list[tuple[str, str]]:
    return list(warning.work_item.transitions.order_by("id").values_list("action", "actor__username"))


def test_an_unacknowledged_red_warning_is_supervised_once(
    plant: Callable[..., EarlyWarning], now: datetime
) -> None:
    warning = plant(level=Level.RED)  # 10:00; 红: 1 working hour to acknowledge → 11:00
    assert warning.work_item.step_due_at == now + timedelta(hours=1)
    _sweep(now + timedelta(minutes=59))
    assert _actions(warning) == [("start", "system")]
    _sweep(now + timedelta(hours=1, minutes=5))
    _sweep(now + timedelta(hours=1, minutes=10))
    assert _actions(warning) == [("start", "system"), ("supervise", "system")]
    warning.work_item.refresh_from_db()
    assert warning.work_item.state == "raised"
    told = OutboxMessage.objects.filter(kind="workflow.supervise").values_list(
        "recipient__username", flat=True
    )
    assert list(told) == ["hq_leader"]


def test_a_yellow_warning_waits_longer_and_one_acknowledged_in_time_is_not_supervised(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    yellow = plant("y", level=Level.YELLOW)  # 4 working hours: 10:00 → 12:00 + 13:30 → 15:30
    orange = plant("o", level=Level.ORANGE)  # 2 working hours → 12:00
    do_act_on_warning(orange, "acknowledge", actor=people["dispatcher"], now=now + timedelta(minutes=30))
    _sweep(now + timedelta(hours=5))  # 15:00
    assert _actions(yellow) == [("start", "system")]
    assert [a for a, _who in _actions(orange)] == ["start", "acknowledge"]
    _sweep(now + timedelta(hours=5, minutes=31))  # 15:31
    assert [a for a, _who in _actions(yellow)] == ["start", "supervise"]


def test_an_acknowledged_but_unhandled_warning_is_supervised(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    warning = plant()
    warning = do_act_on_warning(
        warning, "acknowledge", actor=people["hq_leader"], now=now + timedelta(minutes=10)
    )
    warning.work_item.refresh_from_db()
    # 1 working day to handle: to the end of the next working day, Tuesday 17:30.
    assert warning.work_item.step_due_at == datetime(2026, 3, 3, 17, 30, tzinfo=now.tzinfo)
    _sweep(now + timedelta(days=1, hours=7, minutes=25))
    assert [a for a, _who in _actions(warning)] == ["start", "acknowledge"]
    _sweep(now + timedelta(days=1, hours=7, minutes=35))
    assert [a for a, _who in _actions(warning)] == ["start", "acknowledge", "supervise_handling"]


def test_one_situation_one_warning(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    warning = plant()
    from command.warnings.rules import Finding

    again = Finding(
        rule=warning.rule,
        level=Level.RED,
        fingerprint=warning.fingerprint,
        territory_code=warning.territory_code,
        owner_unit=warning.owner_unit,
        title="再次发现",
        summary="",
        evidence={},
    )
    for minutes in (5, 10):
        found, created = do_raise_warning(again, actor=people["system"], now=now + timedelta(minutes=minutes))
        assert (found.pk, created) == (warning.pk, False)
    # Closed, the situation is still the same one (its fingerprint names its period).
    do_act_on_warning(warning, "dismiss", actor=people["dispatcher"], now=now, reason="误报")
    assert do_raise_warning(again, actor=people["system"], now=now + timedelta(minutes=15)) == (
        warning,
        False,
    )
    assert EarlyWarning.objects.count() == 1
