"""Background jobs of the command centre (huey discovers `<app>.tasks`); the clock is read here."""

from __future__ import annotations

from dataclasses import asdict

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from command.reports.jobs import generate_due
from command.warnings.tasks import evaluate_early_warnings

__all__ = ["evaluate_early_warnings", "generate_periodic_reports"]


@db_periodic_task(crontab(minute="20"))
@lock_task("command-reports")
def generate_periodic_reports() -> dict[str, int]:
    """Hourly: each report is made once (unique per kind × territory × period); later runs skip it."""
    return asdict(generate_due(now=timezone.now()))
