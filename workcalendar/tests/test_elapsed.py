"""elapsed(): working time between two instants, the inverse of add_duration for work_hours."""

from __future__ import annotations

import pytest

from workcalendar.service import add_duration, elapsed, parse_work_hours
from workcalendar.tests.factories import local

pytestmark = pytest.mark.django_db


def test_work_hours_across_lunch_and_weekend() -> None:
    assert elapsed(local(2026, 9, 29, 11), local(2026, 9, 29, 14, 30), "work_hours") == 2.0
    assert elapsed(local(2026, 9, 29, 12), local(2026, 9, 29, 13, 30), "work_hours") == 0.0
    assert elapsed(local(2026, 10, 16, 16, 30), local(2026, 10, 19, 10, 30), "work_hours") == 3.0
    # Over National Day only 09-30 17:00-17:30 and 10-08 08:30-09:00 are worked.
    assert elapsed(local(2026, 9, 30, 17), local(2026, 10, 8, 9), "work_hours") == 1.0


def test_work_days_are_working_hours_over_the_length_of_a_working_day() -> None:
    assert elapsed(local(2026, 11, 2, 8, 30), local(2026, 11, 2, 17, 30), "work_days") == 1.0
    assert elapsed(local(2026, 11, 2, 8, 30), local(2026, 11, 2, 12), "work_days") == pytest.approx(3.5 / 7.5)
    assert elapsed(local(2026, 11, 6, 17, 30), local(2026, 11, 9, 17, 30), "work_days") == 1.0


def test_natural_days_and_direction() -> None:
    assert elapsed(local(2026, 11, 2), local(2026, 11, 5, 12), "natural_days") == 3.5
    assert elapsed(local(2026, 11, 5, 12), local(2026, 11, 2), "natural_days") == -3.5
    assert elapsed(local(2026, 11, 3, 10), local(2026, 11, 2, 10), "work_hours") == -7.5
    assert elapsed(local(2026, 11, 3, 10), local(2026, 11, 3, 10), "work_days") == 0.0


@pytest.mark.parametrize("hours", [1, 2, 3, 7, 8, 15, 40, 200])
@pytest.mark.parametrize(
    "start",
    [local(2026, 9, 30, 16), local(2026, 10, 9, 12, 15), local(2026, 12, 31, 9), local(2026, 11, 8, 22)],
)
def test_elapsed_inverts_add_duration_in_work_hours(hours: int, start: object) -> None:
    deadline = add_duration(start, hours, "work_hours")  # type: ignore[arg-type]
    assert elapsed(start, deadline.at, "work_hours") == pytest.approx(hours, abs=1e-9)  # type: ignore[arg-type]


def test_elapsed_inverts_add_duration_in_work_days_when_started_outside_working_time() -> None:
    start = local(2026, 9, 29, 18)
    for days in range(0, 30):
        deadline = add_duration(start, days, "work_days")
        expected = max(days, 1)  # 即办 after hours: the next working day's work
        assert elapsed(start, deadline.at, "work_days") == pytest.approx(expected)


def test_work_days_deadline_leaves_the_rest_of_the_start_day_as_grace() -> None:
    # Started Monday 10:00 with 1 working day: due Tuesday 17:30, i.e. 6 h of Monday + 7.5 h of Tuesday.
    start = local(2026, 11, 2, 10)
    assert elapsed(start, add_duration(start, 1, "work_days").at, "work_days") == pytest.approx(1 + 6 / 7.5)


def test_custom_work_hours_change_the_day_length() -> None:
    hours = parse_work_hours([["09:00", "12:00"], ["14:00", "18:00"]])
    assert elapsed(local(2026, 11, 2, 9), local(2026, 11, 3, 9), "work_days", work_hours=hours) == 1.0
    assert elapsed(local(2026, 11, 2, 12), local(2026, 11, 2, 14), "work_hours", work_hours=hours) == 0.0
