"""Background jobs of the grid stream: the outermost layer, so the clock is read here."""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from grid.events.intake import drain_pending_reports
from grid.patrols.key_places import do_issue_key_place_patrol_items
from workflow.actors import system_actor

logger = logging.getLogger(__name__)


def run_key_place_patrols() -> dict[str, int]:
    return asdict(do_issue_key_place_patrol_items(actor=system_actor(), now=timezone.now()))


@db_periodic_task(crontab(minute="17"))
def issue_key_place_patrol_items() -> dict[str, int]:
    """Hourly: places whose new inspection period has begun get their patrol item (idempotent)."""
    return run_key_place_patrols()


def run_report_registration() -> dict[str, int]:
    return asdict(drain_pending_reports(now=timezone.now()))


# Both return None: huey keeps results until read, and nobody reads these.
@db_task()
def register_received_reports() -> None:
    """After a resident's report was received: register whatever is pending (one batch for a surge)."""
    run_report_registration()


@db_periodic_task(crontab(minute="*"))
def sweep_received_reports() -> None:
    """Every minute: reports left pending (a lost enqueue, a crash, a retry whose back-off has passed)."""
    outcome = run_report_registration()
    if outcome["claimed"]:
        logger.info("intake sweep: %s", outcome)


def schedule_report_registration() -> None:
    """Call after a report's intake row has committed. In immediate mode (tests, HUEY_IMMEDIATE) the
    registration runs here, in the request; a failed enqueue (the queue is down) is logged, not raised:
    the report is on file and the minute sweep registers it."""
    try:
        register_received_reports()
    except Exception:
        logger.exception("could not enqueue the registration of received reports; the sweep will")


def huey_runs_inline() -> bool:
    """Whether tasks run in the caller (huey's immediate mode): then a report is registered by the time
    its request answers."""
    return bool(HUEY.immediate)
