"""Background jobs of the grid stream: the outermost layer, so the clock is read here."""

from __future__ import annotations

from dataclasses import asdict

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from grid.patrols.key_places import do_issue_key_place_patrol_items
from workflow.actors import system_actor


def run_key_place_patrols() -> dict[str, int]:
    return asdict(do_issue_key_place_patrol_items(actor=system_actor(), now=timezone.now()))


@db_periodic_task(crontab(minute="17"))
def issue_key_place_patrol_items() -> dict[str, int]:
    """Hourly: places whose new inspection period has begun get their patrol item (idempotent)."""
    return run_key_place_patrols()
