"""Background jobs: every five minutes, each enabled connector whose frequency has elapsed since its last
successful sync gets its own run task (one failing source never holds the others back)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accounts.models import User
from datashare.models import Connector
from datashare.sync import do_run_connector


@db_task()
def run_connector(connector_id: int, actor_id: int | None = None) -> str:
    """One run; `actor_id`: the steward who asked for it (run now), else the system user."""
    connector = Connector.objects.filter(pk=connector_id, enabled=True).first()
    if connector is None:
        return "disabled"
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return str(do_run_connector(connector, now=timezone.now(), actor=actor).status)


def due_connectors(now: datetime) -> list[int]:
    return [c.pk for c in Connector.objects.filter(enabled=True).order_by("pk") if c.due(now)]


@db_periodic_task(crontab(minute="*/5"))
def run_due_connectors() -> list[int]:
    due = due_connectors(timezone.now())
    for connector_id in due:
        run_connector(connector_id)
    return due
