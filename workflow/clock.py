"""Working-time arithmetic for steps, on top of workcalendar: how much working time lies between two
instants, and where a given amount of working time ends. `natural_days` steps count wall-clock time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext, gettext_noop

from accounts.models import OrgUnit
from workcalendar.service import (
    DEFAULT_WORK_HOURS,
    Deadline,
    WorkHours,
    add_working_time,
    hours_per_working_day,
    parse_work_hours,
    working_time_between,
)


def work_hours_of(unit: OrgUnit | None) -> WorkHours:
    if unit is None:
        return DEFAULT_WORK_HOURS
    return parse_work_hours(unit.work_hours)


def working_seconds(start: datetime, end: datetime, unit: str, work_hours: WorkHours) -> float:
    """Time counted against a limit in `unit` between two instants (negative when end < start)."""
    if unit == "natural_days":
        return (end - start).total_seconds()
    return working_time_between(start, end, work_hours=work_hours).total_seconds()


def add_seconds(start: datetime, seconds: float, unit: str, work_hours: WorkHours) -> Deadline:
    """The instant `seconds` of counted time after start."""
    if seconds <= 0:
        return Deadline(at=start, provisional=False)
    if unit == "natural_days":
        return Deadline(at=start + timedelta(seconds=seconds), provisional=False)
    return add_working_time(start, timedelta(seconds=seconds), work_hours=work_hours)


@dataclass(frozen=True)
class TimeLeft:
    seconds: float  # counted time left in the step; negative once overdue
    unit: str
    display: str  # e.g. "剩余 2.5 个工作日" / "超期 3.0 工作小时"


# "剩余 1.0 个工作日" / "1.0 working days left": (unit, time left?) → phrase, translated where shown.
TIME_PHRASES = {
    ("work_days", True): gettext_noop("剩余 %(value).1f 个工作日"),
    ("work_days", False): gettext_noop("超期 %(value).1f 个工作日"),
    ("natural_days", True): gettext_noop("剩余 %(value).1f 天"),
    ("natural_days", False): gettext_noop("超期 %(value).1f 天"),
    ("work_hours", True): gettext_noop("剩余 %(value).1f 工作小时"),
    ("work_hours", False): gettext_noop("超期 %(value).1f 工作小时"),
}


def describe(seconds: float, unit: str, work_hours: WorkHours) -> TimeLeft:
    amount = abs(seconds)
    if unit == "work_days":
        value, key = amount / 3600 / hours_per_working_day(work_hours), unit
    elif unit == "natural_days":
        value, key = amount / 86400, unit
    else:
        value, key = amount / 3600, "work_hours"
    phrase = TIME_PHRASES[(key, seconds >= 0)]
    return TimeLeft(seconds=seconds, unit=unit, display=gettext(phrase) % {"value": value})
