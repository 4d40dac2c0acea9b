"""The step clock of a work item, in memory (no checks, no writes): a step's deadline and warning time
from its limit (the item's own override first), pausing and resuming (the remaining time is kept, not
the wall-clock deadline), extensions, and what each action does to the clock (`move_clock`: restart,
keep, pause, stop at a terminal state). Used by `workflow.engine` (`transition`, `new_item`, `advance`)
and through it by the bulk import, so every deadline is computed one way."""

from __future__ import annotations

from datetime import datetime

from core.errors import Conflict
from workcalendar.service import WorkHours, add_duration
from workflow.clock import add_seconds, working_seconds
from workflow.definitions import WARN_SHARE, ActionDef, Limit, ProcessDefinition, StateDef
from workflow.models import WorkItem


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
