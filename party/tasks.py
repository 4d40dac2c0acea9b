"""Background job of the party app: the daily 联户 visit reminders. The outermost layer reads the clock."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from party.visits import send_visit_reminders


@db_periodic_task(crontab(hour="1", minute="15"))
def remind_party_visits() -> int:
    return send_visit_reminders(now=timezone.now())
