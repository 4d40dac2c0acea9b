"""Background jobs: the publication check of 三项制度 (hourly) and the nightly recomputation of the
current and previous periods' officer points. The outermost layer, so the clock is read here.

The publication check lives in enforcement.cases.publication; its periodic task is registered here because
huey discovers `tasks` modules and enforcement/tasks.py belongs to the enforcement app."""

from __future__ import annotations

from dataclasses import asdict

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from enforcement.cases.publication import check_publications
from evaluation.actions import do_compute_points, period_of, previous_period
from workflow.actors import system_actor


def run_publication_check() -> dict[str, int]:
    return asdict(check_publications(now=timezone.now()))


def run_points() -> dict[str, int]:
    now = timezone.now()
    current = period_of(now)
    actor = system_actor()
    previous = do_compute_points(previous_period(current), actor=actor, now=now)
    this = do_compute_points(current, actor=actor, now=now)
    return {"previous_entries": previous.entries, "entries": this.entries, "flagged": this.flagged}


@db_periodic_task(crontab(minute="7"))
def check_enforcement_publications() -> dict[str, int]:
    return run_publication_check()


@db_periodic_task(crontab(hour="2", minute="30"))
def compute_officer_points() -> dict[str, int]:
    return run_points()
