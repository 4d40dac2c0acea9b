"""Demo publication and officer points.

- Publication (三项制度): every demo decision is published by its lead officer through
  do_publish_decision — two working days after the decision, except every fifth decision of a town
  (serial divisible by 5), published on the ninth working day: late, so the late list, the supervision
  notice and the −2 of the points have something to show. Only publications that lie before `now`.
- Points: every period with enforcement-case activity, from the first month with a case transition up
  to the current month, is computed as the system actor.
Idempotent: published decisions and computed periods are left as they are (recompute a period from the
ranking page or the API), so a second run creates nothing and returns zeros."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Min

from accounts.models import User
from enforcement.cases.documents import LOCAL_TZ, serial_of
from enforcement.cases.publication import do_publish_decision
from enforcement.models import Case
from evaluation.actions import do_compute_points, period_of
from evaluation.models import PeriodComputation
from workcalendar.service import add_working_days
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


ON_TIME_WORKING_DAYS = 2
LATE_WORKING_DAYS = 9
LATE_EVERY = 5


def publish_at(case: Case) -> datetime:
    """When the demo publishes the case's decision (10:00 local on a working day)."""
    assert case.decided_at is not None
    serial = serial_of(case.decision_number, case.decision_number.split("第")[0])
    days = LATE_WORKING_DAYS if serial and serial % LATE_EVERY == 0 else ON_TIME_WORKING_DAYS
    day = add_working_days(case.decided_at.astimezone(LOCAL_TZ).date(), days)
    return datetime.combine(day, time(10), tzinfo=LOCAL_TZ)


def _publish_decisions(now: datetime) -> int:
    decided = (
        Case.objects.filter(decided_at__isnull=False, decided_at__lte=now)
        .exclude(decision_number="")
        .exclude(publication__published_at__isnull=False)
        .select_related("lead_officer", "matter")
        .order_by("decided_at", "id")
    )
    published = 0
    for case in decided:
        moment = publish_at(case)
        if moment <= now:
            do_publish_decision(case, actor=case.lead_officer, now=moment)
            published += 1
    return published


def seed_evaluation(*, now: datetime, system: User) -> dict[str, int]:
    published = _publish_decisions(now)
    done = set(PeriodComputation.objects.values_list("period", flat=True))
    computed = entries = flagged = 0
    for period in demo_periods(now=now):
        if period in done:
            continue
        report = do_compute_points(period, actor=system, now=now)
        computed += 1
        entries += report.entries
        flagged += report.flagged
    return {
        "decisions_published": published,
        "periods_computed": computed,
        "point_entries": entries,
        "rotation_flags": flagged,
    }
