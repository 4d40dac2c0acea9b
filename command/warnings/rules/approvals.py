"""A one-window centre's queue that grows: open applications per handling unit grew on each of the last
COMMAND_WARN_QUEUE_DAYS days, by COMMAND_WARN_QUEUE_GROWTH or more in all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from accounts.models import OrgUnit
from workflow.models import WorkItem

from ..models import Level, Rule
from .base import APPROVALS_PROCESS, Finding, Holds, Owners, RuleFn, local_day


def approvals_queue(now: datetime, owners: Owners) -> Iterator[Finding | Holds]:
    """Open applications per handling unit at now and at each of the previous days (open at T: created by
    T and not closed by T), counted in one grouped query over the open and the recently closed items.
    Raised when the queue grew every day; the situation holds while the queue is still up by the
    threshold over the window (a queue that stalls high is still a backlog), and ends once it is not."""
    days = int(settings.COMMAND_WARN_QUEUE_DAYS)
    growth_min = int(settings.COMMAND_WARN_QUEUE_GROWTH)
    moments = [now - timedelta(days=back) for back in range(days, -1, -1)]  # oldest first

    def open_at(moment: datetime) -> Count:
        return Count(
            "pk", filter=Q(created_at__lte=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gt=moment))
        )

    rows = (
        WorkItem.objects.filter(
            process_name=APPROVALS_PROCESS, assigned_unit__isnull=False, created_at__lte=now
        )
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=moments[0]))
        .values("assigned_unit_id")
        .annotate(**{f"q{i}": open_at(moment) for i, moment in enumerate(moments)})
        .order_by("assigned_unit_id")
    )
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[r["assigned_unit_id"] for r in rows])}
    today = local_day(now)
    for row in rows:
        counts: dict[str, Any] = dict(row)
        queue = [int(counts[f"q{i}"]) for i in range(len(moments))]
        growth = queue[-1] - queue[0]
        if growth < growth_min:
            continue
        unit = units[row["assigned_unit_id"]]
        key = f"approvals_queue:{unit.code}"
        if any(b <= a for a, b in pairwise(queue)):
            yield Holds(key)
            continue
        yield Finding(
            rule=Rule.APPROVALS_QUEUE,
            level=Level.ORANGE if growth >= 2 * growth_min else Level.YELLOW,
            fingerprint=f"{key}:{today.isoformat()}",
            key=key,
            territory_code=unit.territory_code,
            owner_unit=unit,
            title=f"审批窗口积压增长：{unit.name}"[:200],
            summary=f"在办件连续 {days} 天增加，由 {queue[0]} 件增至 {queue[-1]} 件。",
            evidence={"queue": queue, "growth": growth, "days": days, "threshold": growth_min},
        )


RULES: dict[str, RuleFn] = {Rule.APPROVALS_QUEUE: approvals_queue}
