"""Working-time arithmetic for steps, on top of workcalendar: how much working time lies between two
instants, and where a given amount of working time ends. `natural_days` steps count wall-clock time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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


def describe(seconds: float, unit: str, work_hours: WorkHours) -> TimeLeft:
    amount = abs(seconds)
    if unit == "work_days":
        value, label = amount / 3600 / hours_per_working_day(work_hours), "个工作日"
    elif unit == "natural_days":
        value, label = amount / 86400, "天"
    else:
        value, label = amount / 3600, "工作小时"
    prefix = "剩余" if seconds >= 0 else "超期"
    return TimeLeft(seconds=seconds, unit=unit, display=f"{prefix} {value:.1f} {label}")
