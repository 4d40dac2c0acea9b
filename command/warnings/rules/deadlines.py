"""Timeliness rules: items likely to breach their step's deadline (`deadline_risk`) and a town's filed
events waiting for dispatch (`unrouted_backlog`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from workflow.deadlines import step_elapsed_seconds
from workflow.models import WorkItem

from ..models import EarlyWarning, Level, Rule
from .base import GRID_PROCESS, WARNING_PROCESS, Finding, Holds, Owners, RuleFn, local_day, place_name

DEADLINE_BATCH = 2000


def _step_key(item_id: int, step_started_at: datetime) -> str:
    return f"deadline_risk:{item_id}:{step_started_at.timestamp():.0f}"


def deadline_risk(now: datetime, owners: Owners) -> Iterator[Finding | Holds]:
    """Open, running items (any process but the warnings' own) past the share of their step limit and
    idle for the configured hours; nearest deadlines first, at most DEADLINE_BATCH per evaluation. A
    warned step's situation holds while the item is open, running and still on that step (past its
    deadline too: the risk came true, nobody has moved it); it ends when the step ends or the clock stops."""
    share_min = float(settings.COMMAND_WARN_DEADLINE_SHARE)
    share_orange = float(settings.COMMAND_WARN_DEADLINE_ORANGE_SHARE)
    idle = timedelta(hours=float(settings.COMMAND_WARN_DEADLINE_IDLE_HOURS))
    warned = [
        int(i)
        for ids in EarlyWarning.objects.filter(rule=Rule.DEADLINE_RISK, finished_at__isnull=True).values_list(
            "item_ids", flat=True
        )
        for i in ids or []
    ]
    for pk, started in WorkItem.objects.filter(
        pk__in=warned, closed_at__isnull=True, paused_at__isnull=True, step_started_at__isnull=False
    ).values_list("pk", "step_started_at"):
        yield Holds(_step_key(pk, started))
    candidates = (
        WorkItem.objects.filter(
            closed_at__isnull=True,
            paused_at__isnull=True,
            step_due_at__gt=now,
            step_limit_seconds__gt=0,
            updated_at__lte=now - idle,
        )
        .exclude(process_name=WARNING_PROCESS)
        .select_related("assigned_unit")
        .order_by("step_due_at")[:DEADLINE_BATCH]
    )
    for item in candidates:
        limit = float(item.step_limit_seconds or 0)
        share = (step_elapsed_seconds(item, now) or 0.0) / limit
        if share < share_min:
            continue
        idle_hours = (now - item.updated_at).total_seconds() / 3600
        level = Level.ORANGE if share >= share_orange else Level.YELLOW
        key = _step_key(item.pk, item.step_started_at)
        yield Finding(
            rule=Rule.DEADLINE_RISK,
            level=level,
            fingerprint=key,
            key=key,
            territory_code=item.territory_code,
            owner_unit=item.assigned_unit or owners.of(item.territory_code),
            title=f"临期风险：{item.title}"[:200],
            summary=(
                f"本环节已用时 {share:.0%}，已 {idle_hours:.1f} 小时无人办理，"
                f"期限 {timezone.localtime(item.step_due_at):%m-%d %H:%M}。"
            ),
            evidence={
                "process": item.process_name,
                "state": item.state,
                "elapsed_share": round(share, 4),
                "limit_seconds": limit,
                "idle_hours": round(idle_hours, 2),
                "step_due_at": item.step_due_at.isoformat() if item.step_due_at else None,
                "threshold_share": share_min,
                "threshold_idle_hours": idle.total_seconds() / 3600,
            },
            item_ids=[item.pk],
        )


def unrouted_backlog(now: datetime, owners: Owners) -> list[Finding]:
    """Per town, filed events waiting for dispatch longer than the hours; the situation (the town's
    backlog) holds while the count stays at the threshold, and is raised at most once a day."""
    hours = float(settings.COMMAND_WARN_UNROUTED_HOURS)
    count = int(settings.COMMAND_WARN_UNROUTED_COUNT)
    waiting = WorkItem.objects.filter(
        process_name=GRID_PROCESS,
        state="filed",
        closed_at__isnull=True,
        step_started_at__lte=now - timedelta(hours=hours),
    ).values_list("pk", "territory_code", "step_started_at")
    by_town: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, code, started in waiting:
        by_town[code[:9]].append((pk, started))
    found = []
    today = local_day(now)
    for town, rows in sorted(by_town.items()):
        if len(rows) < count:
            continue
        oldest = min(started for _pk, started in rows)
        level = (
            Level.RED if len(rows) >= 4 * count else Level.ORANGE if len(rows) >= 2 * count else Level.YELLOW
        )
        found.append(
            Finding(
                rule=Rule.UNROUTED_BACKLOG,
                level=level,
                fingerprint=f"unrouted_backlog:{town}:{today.isoformat()}",
                key=f"unrouted_backlog:{town}",
                territory_code=town,
                owner_unit=owners.of(town),
                title=f"立案待派遣积压：{place_name(town)}"[:200],
                summary=f"{len(rows)} 件已立案超过 {hours:g} 小时仍未派遣。",
                evidence={
                    "waiting": len(rows),
                    "threshold": count,
                    "hours": hours,
                    "oldest_hours": round((now - oldest).total_seconds() / 3600, 2),
                },
                item_ids=sorted(pk for pk, _started in rows)[:200],
            )
        )
    return found


RULES: dict[str, RuleFn] = {Rule.DEADLINE_RISK: deadline_risk, Rule.UNROUTED_BACKLOG: unrouted_backlog}
