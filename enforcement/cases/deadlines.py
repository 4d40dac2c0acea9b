"""The 90-day decision deadline after a pause (中止, hearing): the paused days are not counted, and the
deadline still ends at the end of a day — of a working day, by the common period rule (a period whose
last day is a rest day or holiday ends on the next working day). Adding the paused time as exact hours
left deadlines at odd hours (2026-06-12 01:59:59)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from enforcement.models import Case
from workcalendar.service import LOCAL_TZ, add_working_days, is_working_day
from workflow.models import WorkItem

END_OF_DAY = time(23, 59, 59, 999_999)  # as workcalendar ends a natural-days deadline


def paused_days(paused_at: datetime, resumed_at: datetime) -> int:
    """Local calendar days from the pause's day to the resumption's (at least 1 for any pause)."""
    if resumed_at <= paused_at:
        return 0
    days = (resumed_at.astimezone(LOCAL_TZ).date() - paused_at.astimezone(LOCAL_TZ).date()).days
    return max(1, days)


def extend_for_pause(due_at: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """`due_at` moved by the paused days, ending at 23:59:59 local of a working day."""
    days = paused_days(paused_at, resumed_at)
    if days == 0:
        return due_at
    day = due_at.astimezone(LOCAL_TZ).date() + timedelta(days=days)
    if not is_working_day(day):
        day = add_working_days(day, 1)
    return datetime.combine(day, END_OF_DAY, tzinfo=LOCAL_TZ).astimezone(UTC)


def add_paused_time(case: Case, item: WorkItem, now: datetime) -> None:
    if item.paused_at is not None and case.decision_due_at is not None:
        case.decision_due_at = extend_for_pause(case.decision_due_at, item.paused_at, now)
