"""Background jobs of the workflow: the escalation sweeper and the ledger rollup's fold, every minute.
This is the outermost layer, so it is where the clock is read."""

from __future__ import annotations

from dataclasses import asdict

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from workflow.rollups import fold_all, registered
from workflow.sweeper import sweep


def run_sweep() -> dict[str, int]:
    """One sweep pass at the current time; returns the counts of the report."""
    return asdict(sweep(now=timezone.now()))


# db_periodic_task closes stale database connections around each run (huey's Django integration).
@db_periodic_task(crontab(minute="*"))
def sweep_workflow_deadlines() -> dict[str, int]:
    return run_sweep()


def run_fold() -> dict[str, int]:
    """Fold the new transitions of every process with a rollup contributor into the ledger rollup."""
    now = timezone.now()
    return {name: fold_all(name, now=now) for name in registered()}


@db_periodic_task(crontab(minute="*"))
def fold_ledger_rollup() -> dict[str, int]:
    return run_fold()
