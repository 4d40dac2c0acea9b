"""Worked examples a reviewer can check against a paper calendar (2026 from chinese_calendar 1.11.0:
National Day 10-01..10-07, adjusted working Saturday 10-10; 2027 has no data unless imported)."""

from __future__ import annotations

from datetime import UTC, date, time

import pytest

from core.errors import DomainError
from workcalendar import service
from workcalendar.service import add_duration, add_working_days, count_working_days, day_info, is_working_day
from workcalendar.tests.factories import at_local, import_rows, local

pytestmark = pytest.mark.django_db


def test_five_working_days_from_30_september_skip_national_day_and_count_adjusted_saturday() -> None:
    # 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat 调休 (3), 10-12 Mon (4), 10-13 Tue (5)
    deadline = add_duration(local(2026, 9, 30, 10), 5, "work_days")
    assert at_local(deadline.at) == ("2026-10-13", time(17, 30))
    assert deadline.at.tzinfo is UTC
    assert deadline.provisional is False


def test_adjusted_working_saturday_counts() -> None:
    assert date(2026, 10, 10).weekday() == 5
    assert is_working_day(date(2026, 10, 10))
    assert not is_working_day(date(2026, 10, 11))
    deadline = add_duration(local(2026, 10, 9, 9), 1, "work_days")
    assert at_local(deadline.at) == ("2026-10-10", time(17, 30))


def test_deadline_into_a_year_without_data_falls_back_to_monday_friday_and_is_provisional() -> None:
    # 12-31 Thu (1), 2027-01-01 Fri (2, a guess: no 2027 data), 2027-01-04 Mon (3)
    deadline = add_duration(local(2026, 12, 30, 10), 3, "work_days")
    assert at_local(deadline.at) == ("2027-01-04", time(17, 30))
    assert deadline.provisional is True


def test_after_importing_2027_new_years_day_the_deadline_moves_and_is_no_longer_provisional(
    steward: object,
) -> None:
    import_rows([("2027-01-01", "holiday", "元旦")], actor=steward, source_note="测试")
    deadline = add_duration(local(2026, 12, 30, 10), 3, "work_days")
    assert at_local(deadline.at) == ("2027-01-05", time(17, 30))
    assert deadline.provisional is False


def test_deadline_wholly_inside_a_known_year_is_not_provisional_even_if_later_years_are_unknown() -> None:
    assert add_duration(local(2026, 12, 1, 10), 10, "work_days").provisional is False


def test_start_day_does_not_count_whatever_the_hour() -> None:
    for hour in (0, 8, 12, 17, 23):
        deadline = add_duration(local(2026, 11, 2, hour), 1, "work_days")  # a Monday
        assert at_local(deadline.at) == ("2026-11-03", time(17, 30))


def test_zero_work_days_is_end_of_work_today_or_next_working_day() -> None:
    assert at_local(add_duration(local(2026, 11, 2, 10), 0, "work_days").at) == ("2026-11-02", time(17, 30))
    assert at_local(add_duration(local(2026, 11, 2, 18), 0, "work_days").at) == ("2026-11-03", time(17, 30))
    assert at_local(add_duration(local(2026, 11, 7, 10), 0, "work_days").at) == ("2026-11-09", time(17, 30))
    assert at_local(add_duration(local(2026, 10, 1, 10), 0, "work_days").at) == ("2026-10-08", time(17, 30))


def test_start_given_in_utc_uses_the_shanghai_date() -> None:
    # 2026-09-29 23:00 UTC is 2026-09-30 07:00 in Shanghai: the start day is 09-30.
    start = local(2026, 9, 30, 7).astimezone(UTC)
    assert start.date() == date(2026, 9, 29)
    assert at_local(add_duration(start, 5, "work_days").at) == ("2026-10-13", time(17, 30))


def test_natural_days_end_at_the_last_instant_of_the_local_day() -> None:
    deadline = add_duration(local(2026, 9, 30, 7), 3, "natural_days")
    assert at_local(deadline.at) == ("2026-10-03", time(23, 59, 59, 999999))
    assert deadline.provisional is False
    assert at_local(add_duration(local(2026, 9, 30, 7), 0, "natural_days").at)[0] == "2026-09-30"
    assert add_duration(local(2027, 5, 1), 60, "natural_days").provisional is False


def test_work_hours_across_lunch() -> None:
    assert at_local(add_duration(local(2026, 9, 29, 11), 2, "work_hours").at) == ("2026-09-29", time(14, 30))
    # Ending exactly at noon stays at noon, it does not jump to 13:30.
    assert at_local(add_duration(local(2026, 9, 29, 11), 1, "work_hours").at) == ("2026-09-29", time(12, 0))
    # Starting during lunch starts counting at 13:30.
    assert at_local(add_duration(local(2026, 9, 29, 12, 30), 1, "work_hours").at) == (
        "2026-09-29",
        time(14, 30),
    )


def test_work_hours_across_a_weekend_and_outside_working_time() -> None:
    # Fri 16:30 + 3 h: 1 h on Friday, 2 h on Monday from 08:30.
    assert at_local(add_duration(local(2026, 10, 16, 16, 30), 3, "work_hours").at) == (
        "2026-10-19",
        time(10, 30),
    )
    # Before work starts: counting begins at 08:30.
    assert at_local(add_duration(local(2026, 10, 19, 7), 1, "work_hours").at) == ("2026-10-19", time(9, 30))
    # Friday evening: next working period is Monday morning.
    assert at_local(add_duration(local(2026, 10, 16, 20), 1, "work_hours").at) == ("2026-10-19", time(9, 30))


def test_work_hours_across_national_day_and_onto_the_adjusted_saturday() -> None:
    # 09-30 17:00 + 1 h: 0.5 h on 09-30, then 10-08 from 08:30.
    assert at_local(add_duration(local(2026, 9, 30, 17), 1, "work_hours").at) == ("2026-10-08", time(9, 0))
    # Fri 10-09 16:00 + 4 h: 1.5 h Friday, 2.5 h on Saturday 10-10 (调休).
    assert at_local(add_duration(local(2026, 10, 9, 16), 4, "work_hours").at) == ("2026-10-10", time(11, 0))


def test_whole_days_of_work_hours_end_at_the_end_of_the_last_day() -> None:
    # 75 h = 10 days of 7.5 h from Mon 11-02 08:30: ends Fri 11-13 17:30, not Mon 11-16 08:30.
    assert at_local(add_duration(local(2026, 11, 2, 8, 30), 75, "work_hours").at) == (
        "2026-11-13",
        time(17, 30),
    )


def test_zero_work_hours_is_the_start_itself() -> None:
    start = local(2026, 11, 7, 3)
    assert add_duration(start, 0, "work_hours").at == start


def test_work_hours_into_an_unknown_year_are_provisional() -> None:
    assert add_duration(local(2026, 12, 31, 16), 8, "work_hours").provisional is True
    assert add_duration(local(2026, 12, 31, 9), 2, "work_hours").provisional is False


def test_custom_work_hours_move_the_end_of_day() -> None:
    hours = service.parse_work_hours([["09:00", "12:00"], ["14:00", "18:00"]])
    assert at_local(add_duration(local(2026, 11, 2, 10), 1, "work_days", work_hours=hours).at) == (
        "2026-11-03",
        time(18, 0),
    )
    assert at_local(add_duration(local(2026, 11, 2, 11), 2, "work_hours", work_hours=hours).at) == (
        "2026-11-02",
        time(15, 0),
    )
    assert service.hours_per_working_day(hours) == 7.0


def test_bad_arguments() -> None:
    with pytest.raises(DomainError) as unit:
        add_duration(local(2026, 11, 2), 1, "weeks")
    assert unit.value.field == "unit"
    for amount in (-1, 1.5, True):
        with pytest.raises(DomainError) as bad_amount:
            add_duration(local(2026, 11, 2), amount, "work_days")  # type: ignore[arg-type]
        assert bad_amount.value.field == "amount"
    from datetime import datetime

    with pytest.raises(ValueError, match="aware"):
        add_duration(datetime(2026, 11, 2, 10), 1, "work_days")
    with pytest.raises(ValueError, match="aware"):
        service.elapsed(local(2026, 11, 2), datetime(2026, 11, 3), "work_hours")
    with pytest.raises(DomainError) as elapsed_unit:
        service.elapsed(local(2026, 11, 2), local(2026, 11, 3), "fortnights")
    assert elapsed_unit.value.field == "unit"


def test_table_wins_over_chinese_calendar_for_2026(steward: object) -> None:
    assert day_info(date(2026, 10, 1)).source == "chinese_calendar"
    import_rows([("2026-10-12", "holiday", "测试假日")], actor=steward)
    info = day_info(date(2026, 10, 1))
    assert (info.working, info.source, info.provisional) == (True, "table", False)
    assert not is_working_day(
        date(2026, 10, 10)
    )  # the Saturday is no longer worked: the table does not list it
    assert not is_working_day(date(2026, 10, 12))
    # 09-30 + 5: 10-01, 10-02, 10-05, 10-06, 10-07 (Mon-Fri, 10-12 not reached)
    assert at_local(add_duration(local(2026, 9, 30, 10), 5, "work_days").at) == ("2026-10-07", time(17, 30))


def test_day_info_by_source(steward: object) -> None:
    national_day = day_info(date(2026, 10, 1))
    assert (national_day.working, national_day.name, national_day.source) == (
        False,
        "国庆节",
        "chinese_calendar",
    )
    adjusted = day_info(date(2026, 10, 10))
    assert (adjusted.working, adjusted.name) == (True, "国庆节")
    guess = day_info(date(2027, 3, 3))
    assert (guess.working, guess.provisional, guess.source, guess.name) == (True, True, "fallback", None)
    import_rows([("2027-02-06", "holiday", "春节"), ("2027-02-20", "workday", "春节调休")], actor=steward)
    assert day_info(date(2027, 2, 6)) == service.DayInfo(date(2027, 2, 6), False, False, "春节", "table")
    assert day_info(date(2027, 2, 20)).working is True
    assert day_info(date(2027, 2, 21)).working is False
    assert day_info(date(2027, 3, 3)).source == "table"


def test_counting_working_days() -> None:
    assert count_working_days(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert count_working_days(date(2026, 10, 13), date(2026, 9, 30)) == -5
    assert count_working_days(date(2026, 10, 13), date(2026, 10, 13)) == 0
    assert count_working_days(date(2026, 10, 1), date(2026, 10, 7)) == 0
    # (2025-12-31, 2027-01-01]: 2026 per chinese_calendar + 2027-01-01 (a Friday, guessed working)
    days_2026 = count_working_days(date(2025, 12, 31), date(2026, 12, 31))
    assert count_working_days(date(2025, 12, 31), date(2027, 1, 1)) == days_2026 + 1
    assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert add_working_days(date(2026, 9, 30), 0) == date(2026, 9, 30)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 9, 30), -1)


def test_years_outside_every_source_fall_back() -> None:
    assert day_info(date(2003, 10, 1)).source == "fallback"
    assert add_working_days(date(2030, 12, 31), 1) == date(2031, 1, 1)
    assert add_duration(local(2030, 1, 1), 1, "work_days").provisional is True
    assert count_working_days(date(2026, 12, 31), date(2031, 1, 1)) > 4 * 250
