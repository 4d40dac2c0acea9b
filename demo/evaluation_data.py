"""Demo officer points: compute the points of every period that has enforcement-case activity, from the
first month with a case transition up to the current month, as the system actor. Idempotent: a period
already computed is left as it is (recompute it from the ranking page or the API), so a second run
creates nothing and returns zeros."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min

from accounts.models import User
from evaluation.actions import do_compute_points, period_of
from evaluation.models import PeriodComputation
from workflow.models import Transition


def _next_period(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"


def demo_periods(*, now: datetime) -> list[str]:
    first = Transition.objects.filter(item__enforcement_case__isnull=False).aggregate(
        first=Min("occurred_at")
    )["first"]
    if first is None:
        return []
    periods, period, last = [], period_of(first), period_of(now)
    while period <= last:
        periods.append(period)
        period = _next_period(period)
    return periods


def seed_evaluation(*, now: datetime, system: User) -> dict[str, int]:
    done = set(PeriodComputation.objects.values_list("period", flat=True))
    computed = entries = flagged = 0
    for period in demo_periods(now=now):
        if period in done:
            continue
        report = do_compute_points(period, actor=system, now=now)
        computed += 1
        entries += report.entries
        flagged += report.flagged
    return {"periods_computed": computed, "point_entries": entries, "rotation_flags": flagged}
