"""The warnings section of the periodic reports: what was raised (by level and rule), closed, dismissed,
withdrawn by the system and supervised in a period, and what was still open at its end — counted by hand
on planted warnings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
import time_machine

from accounts.models import User
from command.warnings.actions import do_act_on_warning
from command.warnings.models import EarlyWarning, Level
from command.warnings.selectors import period_summary
from workflow.sweeper import sweep

from .conftest import HUANGQIAO, WEITANG

pytestmark = pytest.mark.django_db
MARCH = (date(2026, 3, 1), date(2026, 4, 1))


def act(warning: EarlyWarning, action: str, who: User, at: datetime, **kwargs: object) -> None:
    with time_machine.travel(at, tick=False):
        do_act_on_warning(warning, action, actor=who, now=at, **kwargs)  # type: ignore[arg-type]


def test_a_month_of_warnings_counted(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    leader, dispatcher = people["hq_leader"], people["dispatcher"]
    closed = plant("closed", level=Level.RED)
    act(closed, "acknowledge", leader, now + timedelta(minutes=5))
    act(closed, "handle", leader, now + timedelta(minutes=20), inputs={"measures": "已清理"})
    act(closed, "close", dispatcher, now + timedelta(minutes=40))
    dismissed = plant("dismissed")
    act(dismissed, "dismiss", dispatcher, now + timedelta(hours=1), reason="现场核实为误报")
    cleared = plant("cleared")  # its situation is gone by the next run: the system withdraws it
    act(cleared, "withdraw", people["system"], now + timedelta(minutes=30), reason="预警条件已解除")
    ignored = plant("ignored", level=Level.RED)  # nobody acknowledges it: supervised after an hour
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        sweep(now=now + timedelta(hours=2))
    # Closed only in April: open at the end of March.
    late = plant("late", at=now + timedelta(days=20))
    act(late, "dismiss", dispatcher, datetime(2026, 4, 1, 9, 0, tzinfo=now.tzinfo), reason="重复预警")
    plant("april", at=datetime(2026, 4, 1, 0, 30, tzinfo=now.tzinfo))  # 00:30 local on 1 April: April's
    plant("weitang", territory=WEITANG)  # another town: not in 黄桥's report

    march = period_summary(HUANGQIAO, *MARCH)

    assert march["raised"] == 5
    assert march["by_level"] == [("红色预警", 2), ("橙色预警", 3), ("黄色预警", 0)]
    assert march["by_rule"] == [("立案待派遣积压", 5)]
    assert (march["closed"], march["dismissed"], march["withdrawn"], march["supervised"]) == (1, 1, 1, 1)
    assert march["open_at_end"] == 2  # the ignored one and the one dismissed in April
    assert ignored.work_item.transitions.filter(action="supervise").count() == 1
    april = period_summary(HUANGQIAO, date(2026, 4, 1), date(2026, 5, 1))
    assert (april["raised"], april["dismissed"], april["open_at_end"]) == (1, 1, 2)
    assert period_summary("320507", *MARCH)["raised"] == 6
