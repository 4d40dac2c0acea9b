"""Property tests (hypothesis) over 2024-2028: chinese_calendar years, the fallback year 2027, and 2027
again once a table year exists. An independent day-by-day oracle checks the year tables."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workcalendar import service
from workcalendar.service import add_duration, add_working_days, count_working_days, elapsed, is_working_day
from workcalendar.tests.factories import SHANGHAI, import_rows

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 6, 30))
instants = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2028, 6, 30),
    timezones=st.just(ZoneInfo("Asia/Shanghai")),
)
HOLIDAYS_2027 = [
    ("2027-01-01", "holiday", "元旦"),
    ("2027-02-08", "holiday", "春节"),
    ("2027-02-20", "workday", "调休"),
]


def oracle_is_working(day: date, table: dict[date, str] | None = None) -> bool:
    if table is not None and day.year == 2027:
        return table[day] == "workday" if day in table else day.weekday() < 5
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


@pytest.fixture(params=["fallback_2027", "table_2027"])
def table(request: Any, steward: Any) -> dict[date, str] | None:
    if request.param == "fallback_2027":
        return None
    import_rows(HOLIDAYS_2027, actor=steward)
    return {date.fromisoformat(d): kind for d, kind, _name in HOLIDAYS_2027}


@PROPERTY_SETTINGS
@given(day=days)
def test_working_days_match_an_independent_oracle(table: dict[date, str] | None, day: date) -> None:
    assert is_working_day(day) == oracle_is_working(day, table)


@PROPERTY_SETTINGS
@given(day=days, n=st.integers(min_value=0, max_value=600))
def test_adding_n_working_days_then_counting_back_gives_n(table: Any, day: date, n: int) -> None:
    later = add_working_days(day, n)
    assert count_working_days(day, later) == n
    assert count_working_days(later, day) == -n
    if n:
        assert is_working_day(later)
        # The first such day: one day earlier there were only n - 1.
        assert count_working_days(day, later - timedelta(days=1)) == n - 1


@PROPERTY_SETTINGS
@given(start=instants, n=st.integers(min_value=0, max_value=300))
def test_work_day_deadline_is_the_end_of_a_working_day(
    table: dict[date, str] | None, start: datetime, n: int
) -> None:
    deadline = add_duration(start, n, "work_days")
    local = deadline.at.astimezone(SHANGHAI)
    assert local.time() == time(17, 30)
    assert oracle_is_working(local.date(), table)  # never a holiday, never an unworked weekend
    assert local.date() >= start.astimezone(SHANGHAI).date()
    first_counted = start.astimezone(SHANGHAI).date() + timedelta(days=1 if n else 0)
    known = set(range(2004, 2027)) | ({2027} if table is not None else set())
    touches_unknown = any(year not in known for year in range(first_counted.year, local.date().year + 1))
    assert deadline.provisional == touches_unknown


@st.composite
def work_hours(draw: Any) -> tuple[tuple[time, time], ...]:
    cuts = sorted(draw(st.sets(st.integers(min_value=6 * 60, max_value=22 * 60), min_size=2, max_size=6)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return tuple(
        (time(divmod(a, 60)[0], divmod(a, 60)[1]), time(divmod(b, 60)[0], divmod(b, 60)[1]))
        for a, b in zip(cuts[::2], cuts[1::2], strict=True)
    )


@PROPERTY_SETTINGS
@given(start=instants, hours=st.integers(min_value=0, max_value=400), periods=work_hours())
def test_work_hours_deadline_lies_in_working_time_and_elapsed_inverts_it(
    table: dict[date, str] | None, start: datetime, hours: int, periods: tuple[tuple[time, time], ...]
) -> None:
    deadline = add_duration(start, hours, "work_hours", work_hours=periods)
    assert elapsed(start, deadline.at, "work_hours", work_hours=periods) == pytest.approx(hours, abs=1e-6)
    if hours:
        local = deadline.at.astimezone(SHANGHAI)
        assert oracle_is_working(local.date(), table)
        assert any(begin < local.time() <= end for begin, end in periods)
        # No earlier instant would do: one second before, less than `hours` had been worked.
        earlier = elapsed(start, deadline.at - timedelta(seconds=1), "work_hours", work_hours=periods)
        assert earlier < hours


@PROPERTY_SETTINGS
@given(a=instants, b=instants, c=instants)
def test_elapsed_is_additive(table: Any, a: datetime, b: datetime, c: datetime) -> None:
    first, middle, last = sorted((a, b, c))
    for unit in ("work_hours", "work_days", "natural_days"):
        whole = elapsed(first, last, unit)
        assert elapsed(first, middle, unit) + elapsed(middle, last, unit) == pytest.approx(whole, abs=1e-6)
        assert whole >= 0


def test_hours_per_day_is_consistent_with_a_full_day(db: None) -> None:
    monday = datetime(2026, 11, 2, tzinfo=SHANGHAI)
    assert elapsed(monday, monday + timedelta(days=1), "work_hours") == service.hours_per_working_day()


@PROPERTY_SETTINGS
@given(
    start=instants,
    span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=70)),
    periods=work_hours(),
)
def test_working_time_between_matches_a_day_by_day_oracle(
    table: dict[date, str] | None, start: datetime, span: timedelta, periods: tuple[tuple[time, time], ...]
) -> None:
    """Spans of up to ten weeks from anywhere in 2024-2028 (across year ends and the 2027 table), in both
    directions: the working time is the overlap of [start, end] with each working day's periods."""
    end = start + span
    expected = timedelta(0)
    day = start.astimezone(SHANGHAI).date()
    while day <= end.astimezone(SHANGHAI).date():
        if oracle_is_working(day, table):
            for begin, finish in periods:
                lo = max(start, datetime.combine(day, begin, tzinfo=SHANGHAI))
                hi = min(end, datetime.combine(day, finish, tzinfo=SHANGHAI))
                expected += max(hi - lo, timedelta(0))
        day += timedelta(days=1)
    assert service.working_time_between(start, end, work_hours=periods) == expected
    assert service.working_time_between(end, start, work_hours=periods) == -expected
