"""Working days, working hours and deadlines. The one place that knows which days are worked in China:
the admin table (`CalendarYear`) where it has a year, else `chinese_calendar`, else Monday–Friday marked
provisional. Pure functions of their arguments (never the clock); year data is cached per process.
Decisions: docs/adr/0004-work-calendar.md."""

from __future__ import annotations

import threading
import time as _time
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar

from core.errors import DomainError

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

Unit = Literal["work_hours", "work_days", "natural_days"]
UNITS: tuple[str, ...] = ("work_hours", "work_days", "natural_days")
Source = Literal["table", "chinese_calendar", "fallback"]
WorkHours = tuple[tuple[time, time], ...]

DEFAULT_WORK_HOURS: WorkHours = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))

# How often (seconds of monotonic process time, not business time) a process asks the database whether
# another process changed the table. Changes made by this process invalidate at once (`invalidate`).
RECHECK_SECONDS = 30.0

_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3600 * _US_PER_SECOND
_US_PER_DAY = 24 * _US_PER_HOUR
_END_OF_DAY = time(23, 59, 59, 999_999)

_CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class Deadline:
    at: datetime  # aware, UTC
    provisional: bool  # True when any day counted falls in a year with no holiday data (Mon–Fri fallback)


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    provisional: bool  # the year has no holiday data; `working` is the Monday–Friday guess
    name: str | None  # holiday name (also on an adjusted working day: the holiday it makes up for)
    source: Source


# ---------------------------------------------------------------------------------------------- year data


@dataclass(frozen=True)
class _Year:
    year: int
    source: Source
    first_ordinal: int
    working: bytes  # one byte per day of the year: 1 = working day
    cum: tuple[int, ...]  # cum[i] = working days among the first i days; cum[-1] = the year's total
    names: dict[date, str]

    @property
    def provisional(self) -> bool:
        return self.source == "fallback"

    @property
    def total(self) -> int:
        return self.cum[-1]

    def index(self, day: date) -> int:
        return day.toordinal() - self.first_ordinal

    def day_at(self, index: int) -> date:
        return date.fromordinal(self.first_ordinal + index)


def _build_year(year: int, source: Source, flags: list[bool], names: dict[date, str]) -> _Year:
    cum = [0]
    for flag in flags:
        cum.append(cum[-1] + flag)
    return _Year(
        year=year,
        source=source,
        first_ordinal=date(year, 1, 1).toordinal(),
        working=bytes(flags),
        cum=tuple(cum),
        names=names,
    )


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1).toordinal()
    return [date.fromordinal(o) for o in range(first, date(year, 12, 31).toordinal() + 1)]


def _chinese_calendar_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _load_year(year: int, table_years: frozenset[int]) -> _Year:
    days = _days_of(year)
    if year in table_years:
        from workcalendar.models import CalendarDay, DayKind

        exceptions = {
            row_date: (kind, name)
            for row_date, kind, name in CalendarDay.objects.filter(calendar_year_id=year).values_list(
                "date", "kind", "name"
            )
        }
        flags = []
        for day in days:
            exception = exceptions.get(day)
            flags.append(exception[0] == DayKind.WORKDAY if exception else day.weekday() < 5)
        names = {day: name for day, (_kind, name) in exceptions.items() if name}
        return _build_year(year, "table", flags, names)
    if _chinese_calendar_covers(year):
        flags = [chinese_calendar.is_workday(day) for day in days]
        names = {}
        for day in days:
            _holiday, english = chinese_calendar.get_holiday_detail(day)
            if english:
                names[day] = _CHINESE_NAMES.get(english, english)
        return _build_year(year, "chinese_calendar", flags, names)
    return _build_year(year, "fallback", [day.weekday() < 5 for day in days], {})


class _Cache:
    """Per-process year data. `fingerprint` is the set of (year, revision) rows of the table when the
    years were loaded; it is re-read at most every RECHECK_SECONDS, so between changes a process queries
    the table once per interval plus once per table year it uses."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.years: dict[int, _Year] = {}
        self.fingerprint: frozenset[tuple[int, int]] | None = None
        self.table_years: frozenset[int] = frozenset()
        self.checked_at = float("-inf")
        self.generation = 0

    def invalidate(self) -> None:
        with self.lock:
            self.years = {}
            self.fingerprint = None
            self.checked_at = float("-inf")
            self.generation += 1

    def _refresh_fingerprint(self) -> None:
        from workcalendar.models import CalendarYear

        fingerprint = frozenset(CalendarYear.objects.values_list("year", "revision"))
        with self.lock:
            if fingerprint != self.fingerprint:
                self.years = {}
                self.fingerprint = fingerprint
                self.table_years = frozenset(year for year, _revision in fingerprint)
            self.checked_at = _time.monotonic()

    def year(self, year: int) -> _Year:
        if _time.monotonic() - self.checked_at > RECHECK_SECONDS:
            self._refresh_fingerprint()
        data = self.years.get(year)
        if data is None:
            generation = self.generation
            data = _load_year(year, self.table_years)
            with self.lock:
                if generation == self.generation:
                    self.years[year] = data
        return data


_cache = _Cache()


def invalidate() -> None:
    """Forget every cached year (the actions call this when the table changes)."""
    _cache.invalidate()


def _year(year: int) -> _Year:
    if not 1 <= year <= 9999:
        raise DomainError("date_out_of_range", "日期超出可计算范围。", field="date")
    return _cache.year(year)


# ---------------------------------------------------------------------------------------------- days


def is_working_day(day: date) -> bool:
    data = _year(day.year)
    return bool(data.working[data.index(day)])


def day_info(day: date) -> DayInfo:
    data = _year(day.year)
    return DayInfo(
        day=day,
        working=bool(data.working[data.index(day)]),
        provisional=data.provisional,
        name=data.names.get(day),
        source=data.source,
    )


def _working_through(day: date) -> int:
    """Working days from 1 January of day's year through day, inclusive."""
    data = _year(day.year)
    return data.cum[data.index(day) + 1]


def count_working_days(start: date, end: date) -> int:
    """Working days in (start, end]; negative (the same count) when end is before start."""
    if end < start:
        return -count_working_days(end, start)
    between_years = sum(_year(y).total for y in range(start.year, end.year))
    return between_years + _working_through(end) - _working_through(start)


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (day itself does not count); n = 0 returns day unchanged."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return day
    data = _year(day.year)
    target = data.cum[data.index(day) + 1] + n
    while target > data.total:
        target -= data.total
        data = _year(data.year + 1)
    # cum[i] >= target first holds at i = (index of the target day) + 1.
    return data.day_at(bisect_left(data.cum, target) - 1)


def _any_provisional(first: date, last: date) -> bool:
    return any(_year(y).provisional for y in range(first.year, last.year + 1))


# ---------------------------------------------------------------------------------------------- hours


def _parse_clock(value: object) -> time:
    if not isinstance(value, str):
        raise ValueError(value)
    hours, minutes = value.split(":")
    if len(hours) not in (1, 2) or len(minutes) != 2:
        raise ValueError(value)
    return time(int(hours), int(minutes))


def parse_work_hours(spec: list[list[str]] | None) -> WorkHours:
    """Turn OrgUnit.work_hours JSON ([["08:30","12:00"],["13:30","17:30"]]) into periods; None → default."""
    if spec is None:
        return DEFAULT_WORK_HOURS
    if not isinstance(spec, list | tuple) or not spec:
        raise DomainError("invalid_work_hours", "工作时间须为非空的时段列表。", field="work_hours")
    periods = []
    for period in spec:
        try:
            if not isinstance(period, list | tuple) or len(period) != 2:
                raise ValueError(period)
            periods.append((_parse_clock(period[0]), _parse_clock(period[1])))
        except ValueError as exc:
            raise DomainError(
                "invalid_work_hours", f'工作时段格式应为 ["HH:MM", "HH:MM"]：{period!r}', field="work_hours"
            ) from exc
    work_hours = tuple(periods)
    _offsets(work_hours)  # validates order and overlap
    return work_hours


def _micro(moment: time) -> int:
    return (moment.hour * 3600 + moment.minute * 60 + moment.second) * _US_PER_SECOND + moment.microsecond


@lru_cache(maxsize=256)
def _offsets(work_hours: WorkHours) -> tuple[tuple[int, int], ...]:
    """Working periods as microseconds since local midnight; checks they are ordered and disjoint."""
    if not work_hours:
        raise DomainError("invalid_work_hours", "工作时间至少包含一个时段。", field="work_hours")
    offsets = []
    previous_end = -1
    for start, end in work_hours:
        begin, finish = _micro(start), _micro(end)
        if begin >= finish:
            raise DomainError("invalid_work_hours", "工作时段的结束须晚于开始。", field="work_hours")
        if begin < previous_end:
            raise DomainError(
                "invalid_work_hours", "工作时段须按时间先后排列且互不重叠。", field="work_hours"
            )
        offsets.append((begin, finish))
        previous_end = finish
    return tuple(offsets)


def hours_per_working_day(work_hours: WorkHours = DEFAULT_WORK_HOURS) -> float:
    return sum(end - start for start, end in _offsets(work_hours)) / _US_PER_HOUR


def _local(moment: datetime, name: str) -> tuple[date, int]:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    local = moment.astimezone(LOCAL_TZ)
    # _micro(local.time()), without building the time: this runs for every deadline a list shows.
    return local.date(), (
        (local.hour * 60 + local.minute) * 60 + local.second
    ) * _US_PER_SECOND + local.microsecond


def _instant(day: date, offset_us: int) -> datetime:
    local = datetime.combine(day, time(0), tzinfo=LOCAL_TZ) + timedelta(microseconds=offset_us)
    return local.astimezone(UTC)


def _overlap(periods: tuple[tuple[int, int], ...], begin: int, end: int) -> int:
    total = 0
    for a, b in periods:
        if b > begin and a < end:
            total += min(b, end) - max(a, begin)
    return total


@lru_cache(maxsize=256)
def _per_day(work_hours: WorkHours) -> int:
    """Microseconds of working time in a working day."""
    return sum(end - begin for begin, end in _offsets(work_hours))


# ---------------------------------------------------------------------------------------------- deadlines


def _check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise DomainError("invalid_amount", "时限须为非负整数。", field="amount")


def add_working_time(
    start: datetime, delta: timedelta, *, work_hours: WorkHours = DEFAULT_WORK_HOURS
) -> Deadline:
    """Count `delta` of working time forward from start (from the next working period when start is
    outside working time). A deadline reached exactly at a period's end stays at that end (12:00, not
    13:30). Zero returns start."""
    periods = _offsets(work_hours)
    remaining = delta // timedelta(microseconds=1)
    if remaining < 0:
        raise DomainError("invalid_amount", "时限须为非负数。", field="amount")
    start_day, position = _local(start, "start")
    if remaining == 0:
        return Deadline(at=start.astimezone(UTC), provisional=False)
    if is_working_day(start_day):
        for begin, end in periods:
            if position >= end:
                continue
            available = end - max(begin, position)
            if remaining <= available:
                at = _instant(start_day, max(begin, position) + remaining)
                return Deadline(at=at, provisional=_any_provisional(start_day, start_day))
            remaining -= available
    per_day = sum(end - begin for begin, end in periods)
    whole_days = -(-remaining // per_day) - 1  # days used up entirely before the last, partial one
    day = add_working_days(start_day, whole_days + 1)
    remaining -= whole_days * per_day
    for begin, end in periods:
        if remaining <= end - begin:
            return Deadline(at=_instant(day, begin + remaining), provisional=_any_provisional(start_day, day))
        remaining -= end - begin
    raise AssertionError("unreachable: remaining never exceeds one working day here")


def add_duration(
    start: datetime, amount: int, unit: str, *, work_hours: WorkHours = DEFAULT_WORK_HOURS
) -> Deadline:
    """The deadline `amount` units after start.

    - work_days: the end of the last working period (17:30 local by default) of the amount-th working day
      after start's local date; the start day itself does not count. amount = 0 (即办): the end of work
      on the start day, or on the next working day when the start day is not a working day or its work
      has already ended.
    - work_hours: `amount` hours of working time counted forward through the working periods of working
      days (see add_working_time).
    - natural_days: the end (23:59:59.999999 local) of the local day `amount` days after start's.
    """
    _check_amount(amount)
    periods = _offsets(work_hours)
    if unit == "work_days":
        start_day, position = _local(start, "start")
        if amount == 0:
            day = start_day
            if not is_working_day(day) or position >= periods[-1][1]:
                day = add_working_days(day, 1)
            provisional = _any_provisional(start_day, day)
        else:
            day = add_working_days(start_day, amount)
            provisional = _any_provisional(start_day + timedelta(days=1), day)
        return Deadline(at=_instant(day, periods[-1][1]), provisional=provisional)
    if unit == "work_hours":
        return add_working_time(start, timedelta(hours=amount), work_hours=work_hours)
    if unit == "natural_days":
        start_day, _position = _local(start, "start")
        local_end = datetime.combine(start_day + timedelta(days=amount), _END_OF_DAY, tzinfo=LOCAL_TZ)
        return Deadline(at=local_end.astimezone(UTC), provisional=False)
    raise DomainError("invalid_unit", f"未知的时限单位：{unit}（应为 {' / '.join(UNITS)}）", field="unit")


def working_time_between(
    start: datetime, end: datetime, *, work_hours: WorkHours = DEFAULT_WORK_HOURS
) -> timedelta:
    """Working time in [start, end]; negative when end is before start."""
    periods = _offsets(work_hours)
    first_day, first_pos = _local(start, "start")
    last_day, last_pos = _local(end, "end")
    if end < start:
        return -working_time_between(end, start, work_hours=work_hours)
    first_year = _year(first_day.year)
    first_index = first_year.index(first_day)
    if first_day == last_day:
        total = _overlap(periods, first_pos, last_pos) if first_year.working[first_index] else 0
        return timedelta(microseconds=total)
    last_year = first_year if last_day.year == first_day.year else _year(last_day.year)
    last_index = last_year.index(last_day)
    # Whole working days strictly between the two: count_working_days(first_day, last_day − 1 day),
    # read from the years' running totals already at hand.
    between = sum(_year(y).total for y in range(first_day.year, last_day.year))
    whole_days = (
        between
        + last_year.cum[last_index + 1]
        - last_year.working[last_index]
        - first_year.cum[first_index + 1]
    )
    total = _per_day(work_hours) * whole_days
    if first_year.working[first_index]:
        total += _overlap(periods, first_pos, _US_PER_DAY)
    if last_year.working[last_index]:
        total += _overlap(periods, 0, last_pos)
    return timedelta(microseconds=total)


def elapsed(
    start: datetime, end: datetime, unit: str, *, work_hours: WorkHours = DEFAULT_WORK_HOURS
) -> float:
    """Time between two instants in the unit, fractional: work_hours = working hours; work_days = working
    hours / hours per working day; natural_days = elapsed seconds / 86400. Negative when end < start."""
    if unit == "natural_days":
        _local(start, "start")
        _local(end, "end")
        return (end - start) / timedelta(days=1)
    if unit not in ("work_hours", "work_days"):
        raise DomainError("invalid_unit", f"未知的时限单位：{unit}（应为 {' / '.join(UNITS)}）", field="unit")
    hours = working_time_between(start, end, work_hours=work_hours) / timedelta(hours=1)
    if unit == "work_hours":
        return hours
    return hours / hours_per_working_day(work_hours)
