"""The step clock of a work item, in memory (no writes): a step's deadline and warning time from its
limit (the item's own override first, checked by `clean_limits`), pausing and resuming (the remaining
time is kept, not the wall-clock deadline), extensions, and what each action does to the clock
(`move_clock`: restart, keep, pause, stop at a terminal state); and its readings — time used, time left,
the traffic light. Used by the engine (`workflow.engine.transition`/`advance`, `workflow.start.new_item`)
and through it by the bulk import, so every deadline is computed one way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.errors import Conflict, DomainError
from workcalendar.service import WorkHours, add_duration
from workflow.clock import TimeLeft, add_seconds, describe, work_hours_of, working_seconds
from workflow.models import Light, WorkItem
from workflow.process_definition import UNITS, WARN_SHARE, ActionDef, Limit, ProcessDefinition, StateDef


def set_step(
    item: WorkItem, now: datetime, remaining: float, limit_seconds: float, work_hours: WorkHours
) -> bool:
    """Schedule the running step from `now` with `remaining` counted seconds left of `limit_seconds`.
    Returns whether a day counted lies in a year without holiday data."""
    unit = item.step_unit
    due = add_seconds(now, remaining, unit, work_hours)
    warn_left = remaining - (1 - WARN_SHARE) * limit_seconds
    warn = add_seconds(now, warn_left, unit, work_hours)
    item.step_limit_seconds = limit_seconds
    item.step_due_at = due.at
    item.warn_at = warn.at
    if item.step_due_at > now:
        item.overdue_at = None
    if item.warn_at > now:
        item.warned_at = None
    return due.provisional


def limit_of(item: WorkItem, state: StateDef) -> Limit | None:
    """The step limit of `state` for this item: its own override, else the definition's."""
    override = (item.limit_overrides or {}).get(state.name)
    if override:
        return Limit(amount=int(override["amount"]), unit=str(override["unit"]))
    return state.limit


def restart_step(item: WorkItem, state: StateDef, now: datetime, work_hours: WorkHours) -> None:
    item.step_started_at = now
    item.warned_at = item.overdue_at = item.sweep_retry_at = None
    item.sweep_failures = 0
    item.last_sweep_error = ""
    limit = limit_of(item, state)
    if limit is None:
        item.step_unit = ""
        item.step_limit_seconds = item.step_due_at = item.warn_at = None
        item.deadline_provisional = False
        return
    deadline = add_duration(now, limit.amount, limit.unit, work_hours=work_hours)
    item.step_unit = limit.unit
    limit_seconds = max(0.0, working_seconds(now, deadline.at, limit.unit, work_hours))
    set_step(item, now, limit_seconds, limit_seconds, work_hours)
    item.step_due_at = deadline.at  # exactly the calendar's deadline (e.g. 17:30 of the Nth working day)
    item.deadline_provisional = deadline.provisional


def pause(item: WorkItem, definition: ProcessDefinition, now: datetime, work_hours: WorkHours) -> None:
    if item.paused_at is not None:
        return
    if item.step_due_at is not None:
        item.paused_remaining_seconds = working_seconds(now, item.step_due_at, item.step_unit, work_hours)
    if item.due_at is not None and definition.time_limit is not None:
        item.paused_due_remaining_seconds = working_seconds(
            now, item.due_at, definition.time_limit.unit, work_hours
        )
        item.due_at = None
    item.paused_at = now
    item.step_due_at = item.warn_at = None


def resume(item: WorkItem, definition: ProcessDefinition, now: datetime, work_hours: WorkHours) -> None:
    """Continue the stopped clock: the remaining step (and overall) time is counted again from now."""
    assert item.paused_at is not None
    item.paused_seconds_total += max(0.0, (now - item.paused_at).total_seconds())
    item.paused_at = None
    if item.paused_remaining_seconds is not None and item.step_limit_seconds is not None:
        item.deadline_provisional = set_step(
            item, now, item.paused_remaining_seconds, item.step_limit_seconds, work_hours
        )
    if item.paused_due_remaining_seconds is not None and definition.time_limit is not None:
        due = add_seconds(now, item.paused_due_remaining_seconds, definition.time_limit.unit, work_hours)
        item.due_at, item.due_provisional = due.at, due.provisional
    item.paused_remaining_seconds = item.paused_due_remaining_seconds = None


def extend(item: WorkItem, action: ActionDef, now: datetime, work_hours: WorkHours) -> None:
    """延期: move the step deadline (and the overall one) by the action's amount."""
    assert action.extend is not None
    if item.step_due_at is None or item.step_limit_seconds is None:
        raise Conflict("invalid_transition", "本环节没有期限，无需延期。")
    old_due = item.step_due_at
    new_due = add_duration(old_due, action.extend.amount, action.extend.unit, work_hours=work_hours)
    added = max(0.0, working_seconds(old_due, new_due.at, item.step_unit, work_hours))
    remaining = working_seconds(now, new_due.at, item.step_unit, work_hours)
    set_step(item, now, remaining, item.step_limit_seconds + added, work_hours)
    item.step_due_at = new_due.at
    item.deadline_provisional = item.deadline_provisional or new_due.provisional
    if item.due_at is not None:
        due = add_duration(item.due_at, action.extend.amount, action.extend.unit, work_hours=work_hours)
        item.due_at = due.at
        item.due_provisional = item.due_provisional or due.provisional


def move_clock(
    item: WorkItem,
    definition: ProcessDefinition,
    action: ActionDef,
    target: StateDef,
    now: datetime,
    work_hours: WorkHours,
) -> None:
    if target.terminal:
        if item.paused_at is not None:
            item.paused_seconds_total += max(0.0, (now - item.paused_at).total_seconds())
            item.paused_at = None
        item.closed_at = now
        item.warn_at = item.step_due_at = None
        return
    if not target.clock_runs:
        pause(item, definition, now, work_hours)
        return
    if item.paused_at is not None:
        if action.clock == "keep":
            resume(item, definition, now, work_hours)
            return
        item.paused_seconds_total += max(0.0, (now - item.paused_at).total_seconds())
        item.paused_at = None
        item.paused_remaining_seconds = None
        if item.paused_due_remaining_seconds is not None and definition.time_limit is not None:
            due = add_seconds(now, item.paused_due_remaining_seconds, definition.time_limit.unit, work_hours)
            item.due_at, item.due_provisional = due.at, due.provisional
            item.paused_due_remaining_seconds = None
    if action.extend is not None:
        extend(item, action, now, work_hours)
    elif action.clock == "restart":
        restart_step(item, target, now, work_hours)


def clean_limits(definition: ProcessDefinition, limits: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Validate per-item step limits {state: {amount, unit}} against the definition. Only states where
    the clock runs (not terminal, not paused) may have one; amount is a positive integer, unit one of
    the engine's units (or 0 work_days: the end of the same working day, 即办). A caller's programming
    error, so it is a DomainError on field `limits`."""
    cleaned: dict[str, dict[str, Any]] = {}
    for name, value in (limits or {}).items():
        state = definition.states.get(name)
        if state is None or state.terminal or not state.clock_runs:
            raise DomainError("invalid", f"状态“{name}”不能设置时限。", field="limits")
        amount = value.get("amount") if isinstance(value, dict) else None
        unit = value.get("unit") if isinstance(value, dict) else None
        # 0 work_days is the same working day (即办); any other limit is positive.
        same_day = amount == 0 and unit == "work_days"
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int)
            or (amount <= 0 and not same_day)
            or unit not in UNITS
        ):
            raise DomainError("invalid", f"状态“{name}”的时限无效：{value!r}", field="limits")
        cleaned[name] = {"amount": amount, "unit": unit}
    return cleaned


def step_elapsed_seconds(item: WorkItem, now: datetime, work_hours: WorkHours | None = None) -> float | None:
    """Counted time used in the current step (working time for work_* units)."""
    hours = work_hours or work_hours_of(item.assigned_unit)
    if item.step_limit_seconds is None:
        return working_seconds(item.step_started_at, now, item.step_unit or "work_hours", hours)
    if item.paused_at is not None:
        return item.step_limit_seconds - (item.paused_remaining_seconds or 0.0)
    assert item.step_due_at is not None
    return item.step_limit_seconds - working_seconds(now, item.step_due_at, item.step_unit, hours)


def time_left(item: WorkItem, now: datetime) -> TimeLeft | None:
    if item.closed_at is not None or item.step_limit_seconds is None:
        return None
    hours = work_hours_of(item.assigned_unit)
    if item.paused_at is not None:
        remaining = item.paused_remaining_seconds or 0.0
    else:
        assert item.step_due_at is not None
        remaining = working_seconds(now, item.step_due_at, item.step_unit, hours)
    return describe(remaining, item.step_unit, hours)


def traffic_light(item: WorkItem, now: datetime) -> str | None:
    """Share of the step limit used: < 80 % green, 80–100 % yellow, ≥ 100 % red. None without a limit."""
    if item.closed_at is not None or item.step_limit_seconds is None:
        return None
    if item.paused_at is not None:
        limit = item.step_limit_seconds
        used = 1.0 if limit <= 0 else 1 - (item.paused_remaining_seconds or 0.0) / limit
        if used >= 1:
            return Light.RED.value
        return Light.YELLOW.value if used >= WARN_SHARE else Light.GREEN.value
    assert item.step_due_at is not None and item.warn_at is not None
    if now >= item.step_due_at:
        return Light.RED.value
    return Light.YELLOW.value if now >= item.warn_at else Light.GREEN.value
