"""The periodic generation: for each kind, the newest period that has ended (local days), for the
district(s) and every town, and monthly for every village as well. Run as often as you like: an existing
report is skipped, so a run after an outage catches up and a second or concurrent run is a no-op. Older
periods: `manage.py generate_report`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from command.reports.actions import do_generate_report, levels_for
from command.reports.models import ReportKind
from command.reports.periods import Period, last_completed
from territory.models import Division
from workflow.actors import system_actor


@dataclass
class GenerationRun:
    generated: int = 0
    existing: int = 0


def territories(kind: str, code: str = "") -> list[str]:
    rows = Division.objects.filter(level__in=levels_for(kind))
    if code:
        rows = rows.filter(code=code)
    return list(rows.order_by("code").values_list("code", flat=True))


def generate_period(period: Period, *, now: datetime, code: str = "") -> GenerationRun:
    run = GenerationRun()
    actor = system_actor()
    for territory in territories(period.kind, code):
        _, made = do_generate_report(territory, period, actor=actor, now=now)
        if made:
            run.generated += 1
        else:
            run.existing += 1
    return run


def generate_due(*, now: datetime) -> GenerationRun:
    today = timezone.localdate(now)
    total = GenerationRun()
    for kind in ReportKind.values:
        run = generate_period(last_completed(kind, today), now=now)
        total.generated += run.generated
        total.existing += run.existing
    return total
