"""Deadlines counted over a provisional year (Monday–Friday fallback, DESIGN.md "Work calendar") are
recomputed when that year's holidays are entered: each open, running work item keeps the working time it
had left under the fallback, counted again on the real calendar. Each change is a Transition row (same
state, action `recompute_deadline`, the system actor; old and new deadlines in its inputs) with its audit
row, in the transaction that entered the holidays. Wired to workcalendar.signals.holidays_entered from
WorkflowConfig.ready(); `transition()` is not involved, the state does not move."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from audit.actions import record_event
from workcalendar.service import LOCAL_TZ, add_working_days, count_working_days, day_info, is_working_day
from workflow.actors import system_actor
from workflow.models import Transition, WorkItem

ACTION = "recompute_deadline"


def _fallback_working(day: date) -> bool:
    return day.weekday() < 5


def _changed_days(years: Iterable[int]) -> list[date]:
    """Days of `years` whose working status differs between the Monday–Friday fallback and the calendar."""
    changed: list[date] = []
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            if _fallback_working(day) != is_working_day(day):
                changed.append(day)
            day += timedelta(days=1)
    return changed


def shift(moment: datetime, *, now: datetime, changed: list[date]) -> datetime:
    """`moment` (a deadline counted with `changed` days on the fallback) on the real calendar: the same
    number of working days after today, at the same local time of day. Past moments stay."""
    local = moment.astimezone(LOCAL_TZ)
    today = now.astimezone(LOCAL_TZ).date()
    target = local.date()
    if target <= today:
        return moment
    counted = count_working_days(today, target)
    for day in changed:
        if today < day <= target:
            counted += 1 if _fallback_working(day) else -1  # the fallback counted it differently
    new_day = add_working_days(today, max(counted, 0)) if counted > 0 else target
    if new_day == target:
        return moment
    return datetime.combine(new_day, local.timetz()).astimezone(UTC)


def _still_provisional(now: datetime, until: datetime) -> bool:
    first = now.astimezone(LOCAL_TZ).year
    last = until.astimezone(LOCAL_TZ).year
    return any(day_info(date(year, 1, 1)).provisional for year in range(first, last + 1))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def recompute_for_years(years: Iterable[int], *, now: datetime, calendar_actor: Any = None) -> int:
    """Recompute the provisional deadlines of open, running items that reach into `years`; returns how many
    items changed. Runs in the caller's transaction (or its own)."""
    years = sorted(set(years))
    if not years:
        return 0
    changed = _changed_days(years)
    start = datetime.combine(date(years[0], 1, 1), datetime.min.time(), tzinfo=LOCAL_TZ)
    candidates = WorkItem.objects.filter(closed_at__isnull=True, paused_at__isnull=True).filter(
        Q(deadline_provisional=True, step_due_at__gte=start) | Q(due_provisional=True, due_at__gte=start)
    )
    actor = system_actor()
    reason = f"录入 {'、'.join(str(y) for y in years)} 年节假日，按正式工作日历重新计算期限"
    moved = 0
    with transaction.atomic():
        for item in candidates.select_for_update().order_by("pk"):
            before = {
                "step_due_at": item.step_due_at,
                "warn_at": item.warn_at,
                "due_at": item.due_at,
                "deadline_provisional": item.deadline_provisional,
                "due_provisional": item.due_provisional,
            }
            if item.deadline_provisional and item.step_due_at is not None:
                item.step_due_at = shift(item.step_due_at, now=now, changed=changed)
                if item.warn_at is not None and item.warn_at > now:
                    item.warn_at = shift(item.warn_at, now=now, changed=changed)
                item.deadline_provisional = _still_provisional(now, item.step_due_at)
            if item.due_provisional and item.due_at is not None:
                item.due_at = shift(item.due_at, now=now, changed=changed)
                item.due_provisional = _still_provisional(now, item.due_at)
            after = {name: getattr(item, name) for name in before}
            if after == before:
                continue
            item.version += 1
            item.updated_at = now
            item.save(
                update_fields=[*before, "version", "updated_at"]  # never the state
            )
            record = Transition.objects.create(
                item=item,
                action=ACTION,
                from_state=item.state,
                to_state=item.state,
                actor=actor,
                reason=reason,
                inputs={
                    "years": years,
                    "calendar_actor": getattr(calendar_actor, "username", ""),
                    **{
                        name: [_iso(before[name]), _iso(after[name])]
                        for name in ("step_due_at", "warn_at", "due_at")
                    },
                },
                occurred_at=now,
                step_elapsed_seconds=None,
                step_unit=item.step_unit,
            )
            record_event(
                actor=actor,
                action=f"workflow.{ACTION}",
                subject=item,
                territory_code=item.territory_code,
                before={k: _iso(v) for k, v in before.items()},
                after={
                    **{k: _iso(v) for k, v in after.items()},
                    "transition": record.pk,
                    "years": years,
                },
                now=now,
            )
            moved += 1
    return moved


def on_holidays_entered(sender: Any, *, years: tuple[int, ...], actor: Any, now: datetime, **_: Any) -> None:
    recompute_for_years(years, now=now, calendar_actor=actor)
