"""The workflow engine: `transition` performs every state change (`transition_many` the same for a
batch); `workflow.start.do_start_item` creates a work item. Nothing else writes a work item's state
(WorkItem.save() refuses it, and a test scans the source). Its parts, each in its own module: who may
act (`workflow.access`), the handler bound to each action (`workflow.handlers`), what an action is given
(`workflow.inputs`), the step clock (`workflow.deadlines`), the notifications (`workflow.notices`).

Concurrency: `transition` locks the row with `select_for_update()` (blocking, not nowait: the loser
waits a few milliseconds for the winner's commit instead of failing on a lock it would have got) and
then compares the row's `version` with the version the caller read (compare-and-swap). Two actors who
read version 7 and act at once: the first commits version 8, the second sees 8 ≠ 7 after the lock and
gets 409 `stale_version`; if the winner moved the state, the second action is also no longer allowed
(409 `invalid_transition`). On SQLite the IMMEDIATE transaction mode serialises the writers the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from accounts.models import OrgUnit, User
from audit.actions import audit_row, record_audit_rows, record_event
from core.errors import Conflict, DomainError
from workcalendar.service import WorkHours
from workflow.access import check_jurisdiction, refusal
from workflow.actors import actor_roles
from workflow.clock import work_hours_of
from workflow.deadlines import clean_limits, move_clock, step_elapsed_seconds
from workflow.handlers import Handler, Step, bound_handler
from workflow.inputs import apply_reassignment, clean_inputs
from workflow.listing import attach_item_references
from workflow.models import Transition, WorkItem, engine_writes
from workflow.notices import notify_item, notify_items
from workflow.process_definition import ActionDef, ProcessDefinition, StateDef
from workflow.publishing import definition_for


def item_snapshot(item: WorkItem) -> dict[str, Any]:
    """What the audit row of a start or a transition records of the item, before and after."""
    return {
        "state": item.state,
        "assigned_unit": item.assigned_unit_id,
        "assignee": item.assignee_id,
        "due_at": item.due_at,
        "step_due_at": item.step_due_at,
        "paused": item.paused_at is not None,
        "version": item.version,
        "limit_overrides": item.limit_overrides or {},
    }


def transition(
    item: WorkItem,
    action: str,
    *,
    actor: User,
    now: datetime,
    inputs: dict[str, Any] | None = None,
    reason: str = "",
    expected_version: int | None = None,
    limits: dict[str, Any] | None = None,
    door: dict[str, Any] | None = None,
) -> WorkItem:
    """Take `action` on `item` as `actor`, with the rules of the handler bound to the action
    (`workflow.handlers`), whichever door called. Refusals, in order:
    - 404 `not_found`: the item is outside the actor's jurisdiction;
    - 409 `stale_version`: the item changed since the version the caller read;
    - 400 `unknown_action`: the definition has no such action;
    - 409 `unbound_action`: no handler is bound to the action (no step runs without its rules);
    - 409 `invalid_transition`: the action is not allowed from the current state;
    - 403 `not_allowed`: the actor's role, the action's actor rule (assignee / unit), or the handler's
      own actor check (team, unit, the rule's conditions);
    - whatever the handler's guard refuses (400/409/422 with its code and field: the stream's rules);
    - 400 `required` / `invalid`: the definition's required reason, fields and attachments.
    Then, in one transaction: the state, a Transition row, new deadlines, the audit event, the
    handler's effect (the stream's records, audit rows and notifications) and the engine's
    notifications. Returns the updated item (and refreshes the instance passed in).

    `door` carries what a stream's own door parsed that is not a recorded input (checked uploads); the
    generic doors pass nothing.

    `limits` ({state: {amount, unit}}) is merged into the item's `limit_overrides` before the clock
    moves, so it already applies to the state this action enters (when the action restarts the
    clock) and to every later entry into those states. Calling code sets it (or the handler's guard, through
    `step.limits`); never request inputs."""
    inputs = dict(inputs or {})
    reason = (reason or "").strip()
    check_jurisdiction(actor, item)
    expected = item.version if expected_version is None else expected_version
    with transaction.atomic(), engine_writes():
        # The row alone (no joins): the pinned version, the unit and the assignee come from the
        # process cache (workflow.listing), so a transition neither re-reads nor re-parses them.
        locked = WorkItem.objects.select_for_update().get(pk=item.pk)
        attach_item_references([locked])
        if locked.version != expected:
            raise Conflict("stale_version", "该办件已被他人处理或已更新，请刷新后重试。")
        move = _plan(
            locked,
            action,
            actor=actor,
            roles=actor_roles(actor),
            now=now,
            inputs=inputs,
            reason=reason,
            limits=limits,
            door=door,
        )
        locked.save()
        record = move.record()
        record.save()
        record_event(**move.audit(record))
        _finish(move)
    for field in WorkItem._meta.concrete_fields:
        setattr(item, field.attname, getattr(locked, field.attname))
    item._persisted_state = locked.state
    return locked


@dataclass
class _Move:
    """One action checked and taken in memory by `_plan`: what `transition` and `transition_many`
    write (the item, its Transition row, its audit row) and finish (the handler's effect, notices)."""

    step: Step
    handler: Handler
    before: dict[str, Any]
    source: StateDef
    target: StateDef
    elapsed: float | None
    step_unit: str

    def record(self) -> Transition:
        step = self.step
        return Transition(
            item=step.item,
            action=step.action.name,
            from_state=self.source.name,
            to_state=self.target.name,
            actor=step.actor,
            reason=step.reason,
            inputs=step.inputs,
            occurred_at=step.now,
            step_elapsed_seconds=self.elapsed,
            step_unit=self.step_unit,
        )

    def audit(self, record: Transition) -> dict[str, Any]:
        item = self.step.item
        return {
            "actor": self.step.actor,
            "action": f"workflow.{self.step.action.name}",
            "subject": item,
            "territory_code": item.territory_code,
            "before": self.before,
            "after": {**item_snapshot(item), "transition": record.pk, "reason": self.step.reason},
            "now": self.step.now,
        }

    def notice(self) -> dict[str, Any] | None:
        """The engine's notification of this move (to the new assignee or unit): when the item changed
        hands, or the system acted. None: nobody is told."""
        item, actor = self.step.item, self.step.actor
        reassigned = (self.before["assigned_unit"], self.before["assignee"]) != (
            item.assigned_unit_id,
            item.assignee_id,
        )
        if not (reassigned or actor.is_system):
            return None
        return {
            "kind": f"workflow.{self.step.action.name}",
            "body": f"{self.step.action.title}：{item.title}（{self.target.title}）",
            "exclude": actor.pk,
        }


def _plan(
    locked: WorkItem,
    action: str,
    *,
    actor: User,
    roles: set[str],
    now: datetime,
    inputs: dict[str, Any],
    reason: str,
    limits: dict[str, Any] | None = None,
    door: dict[str, Any] | None = None,
) -> _Move:
    """Every check of `transition` on the locked item (see its refusals), then the move in memory:
    the handler's actor check and guard, the inputs, the limits, the clock, the new state. Nothing is
    written here except what a guard writes."""
    definition = definition_for(locked)
    action_def = definition.actions.get(action)
    if action_def is None:
        raise DomainError("unknown_action", f"本流程没有动作“{action}”。", field="action")
    handler = bound_handler(definition, action_def)
    source = definition.states[locked.state]
    if locked.state not in action_def.sources:
        raise Conflict(
            "invalid_transition",
            f"办件当前为“{source.title}”，不能执行“{action_def.title}”。",
            field="action",
        )
    problem = refusal(locked, action_def, actor, roles)
    if problem is not None:
        raise problem
    step = Step(
        item=locked,
        definition=definition,
        action=action_def,
        actor=actor,
        now=now,
        inputs=inputs,
        reason=reason,
        from_state=source.name,
        door=door or {},
    )
    if handler.actors is not None:
        handler.actors(step)
    if handler.guard is not None:
        handler.guard(step)
    step.reason = step.reason.strip()  # a guard may complete it (e.g. the default corrections note)
    clean_inputs(action_def, step.reason, inputs)
    overrides = clean_limits(definition, {**(limits or {}), **step.limits})

    before = item_snapshot(locked)
    if overrides:
        locked.limit_overrides = {**(locked.limit_overrides or {}), **overrides}
    elapsed, step_unit, target = advance(
        locked,
        definition,
        action_def,
        now,
        reassign=lambda: apply_reassignment(locked, action_def, actor, inputs),
    )
    return _Move(step, handler, before, source, target, elapsed, step_unit)


def _finish(move: _Move) -> None:
    """After the rows are written: the handler's effect, then the engine's notification."""
    if move.handler.effect is not None:
        move.handler.effect(move.step)
    notice = move.notice()
    if notice is not None:
        notify_item(move.step.item, now=move.step.now, **notice)


def advance(
    item: WorkItem,
    definition: ProcessDefinition,
    action: ActionDef,
    now: datetime,
    *,
    reassign: Callable[[], None],
    hours_of: Callable[[OrgUnit | None], WorkHours] = work_hours_of,
) -> tuple[float | None, str, StateDef]:
    """Take `action` on `item` in memory (no checks, no writes): the counted time used in the step,
    the reassignment (`reassign`, run after the elapsed time is taken), the clock, the new state, the
    version. Returns (step_elapsed_seconds, step_unit of the step left, target state). Shared by
    `transition` and the bulk import (`workflow.bulk`), so both compute every deadline the same way."""
    elapsed = step_elapsed_seconds(item, now, hours_of(item.assigned_unit))
    step_unit = item.step_unit
    reassign()
    target = definition.states[action.target]
    move_clock(item, definition, action, target, now, hours_of(item.assigned_unit))
    item.state = target.name
    item.version += 1
    item.updated_at = now
    return elapsed, step_unit, target


def transition_many(
    moves: list[tuple[WorkItem, str]], *, actor: User, now: datetime, reason: str = ""
) -> list[WorkItem]:
    """`transition` for many items at once, inside the caller's transaction, with the items already
    locked by the caller (`select_for_update`) and their references attached: the sweeper's 督办 of every
    overdue item of a batch. The same checks and handlers per item (`_plan`, `_finish`: one rule path);
    the writes in bulk — the items in one UPDATE executed for every row, the Transition rows, audit rows
    and notifications each in one INSERT. Any refusal raises and the caller's transaction rolls back
    (the sweeper then takes the batch one item at a time)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition_many runs inside the caller's transaction, with the items locked")
    if not moves:
        return []
    reason = (reason or "").strip()
    roles = actor_roles(actor)
    with engine_writes():
        planned = []
        for item, action in moves:
            check_jurisdiction(actor, item)
            planned.append(_plan(item, action, actor=actor, roles=roles, now=now, inputs={}, reason=reason))
        items = [move.step.item for move in planned]
        update_items(items)
        records = [move.record() for move in planned]
        Transition.objects.bulk_create(records)
        record_audit_rows(
            [audit_row(**move.audit(record)) for move, record in zip(planned, records, strict=True)]
        )
        notices = []
        for move in planned:
            if move.handler.effect is not None:
                move.handler.effect(move.step)
            notice = move.notice()
            if notice is not None:
                notices.append((move.step.item, notice))
        notify_items(notices, now=now)
    return items


def update_items(items: list[WorkItem]) -> None:
    """Write every column of `items` (their state included: engine only) with one UPDATE statement
    executed for all rows (`executemany`: pipelined on PostgreSQL), as `save()` would row by row."""
    if not items:
        return
    fields = [f for f in WorkItem._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(WorkItem._meta.db_table)} SET "  # noqa: S608 - the model's own names
        + ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
        + f" WHERE {quote(str(WorkItem._meta.pk.column))} = %s"
    )
    rows = [
        [*(f.get_db_prep_save(getattr(item, f.attname), connection) for f in fields), item.pk]
        for item in items
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for item in items:
        item._persisted_state = item.state
