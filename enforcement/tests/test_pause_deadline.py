"""After a pause (中止, hearing) the decision deadline moves by the paused days and ends at the end of a
working day, never at the odd hour exact paused time gives (the finding: 2026-06-12 01:59:59)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from enforcement.cases.deadlines import extend_for_pause, paused_days

pytestmark = pytest.mark.django_db  # the work calendar reads its table

CST = ZoneInfo("Asia/Shanghai")
# 90-day deadline: the end of Thursday 11 June 2026.
DUE = datetime(2026, 6, 11, 23, 59, 59, 999_999, tzinfo=CST)


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


def test_a_pause_of_hours_moves_the_deadline_a_whole_day_to_its_end():
    moved = extend_for_pause(DUE, local(4, 8, 9), local(4, 8, 11))  # a two-hour hearing
    assert moved.astimezone(CST) == datetime(2026, 6, 12, 23, 59, 59, 999_999, tzinfo=CST)
    # Two hours over midnight: one calendar day, not 01:59:59 of the next.
    assert extend_for_pause(DUE, local(4, 8, 23), local(4, 9, 1)).astimezone(CST).time() == DUE.time()


def test_whole_days_are_counted_by_the_calendar():
    assert paused_days(local(3, 26, 10), local(4, 8, 10)) == 13
    assert paused_days(local(3, 26, 16), local(4, 8, 9)) == 13
    assert paused_days(local(3, 26, 16), local(3, 26, 16)) == 0
    assert extend_for_pause(DUE, local(3, 26, 16), local(3, 26, 16)) == DUE


def test_a_deadline_landing_on_a_rest_day_or_holiday_ends_on_the_next_working_day():
    # 11 June + 2 days = Saturday 13 June → Monday 15 June.
    moved = extend_for_pause(DUE, local(4, 1, 10), local(4, 3, 10))
    assert moved.astimezone(CST) == datetime(2026, 6, 15, 23, 59, 59, 999_999, tzinfo=CST)
    # 11 June + 8 days = Friday 19 June, 端午节 2026 → Monday 22 June.
    moved = extend_for_pause(DUE, local(4, 1, 10), local(4, 9, 10))
    assert moved.astimezone(CST).date() == datetime(2026, 6, 22).date()
