"""The periodic evaluation of the early-warning rules (every 5 minutes). The outermost layer: it reads
the clock. Idempotent by each warning's fingerprint, so an overlapping run raises nothing twice."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions import evaluate_warnings


@db_periodic_task(crontab(minute="*/5"))
def evaluate_early_warnings() -> dict[str, dict[str, int]]:
    return evaluate_warnings(now=timezone.now())
