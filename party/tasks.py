"""Background jobs of the party app: the month's 联户 visit plan (daily, for links not yet planned), the
daily 联户 visit reminders and the quarter-end 三会一课 reminders.
The outermost layer reads the clock."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from party.meetings import send_meeting_reminders
from party.visits import plan_current_month, send_visit_reminders


@db_periodic_task(crontab(hour="1", minute="10"))
def plan_party_visits() -> int:
    return plan_current_month(now=timezone.now())


@db_periodic_task(crontab(hour="1", minute="15"))
def remind_party_visits() -> int:
    return send_visit_reminders(now=timezone.now())


@db_periodic_task(crontab(hour="1", minute="20"))
def remind_party_meetings() -> int:
    return send_meeting_reminders(now=timezone.now())
