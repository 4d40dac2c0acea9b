"""The workflow engine: `do_start_item` creates a work item, `transition` performs every state change.
Nothing else writes a work item's state (WorkItem.save() refuses it, and a test scans the source).

Concurrency: `transition` locks the row with `select_for_update()` (blocking, not nowait: the loser
waits a few milliseconds for the winner's commit instead of failing on a lock it would have got) and
then compares the row's `version` with the version the caller read (compare-and-swap). Two actors who
read version 7 and act at once: the first commits version 8, the second sees 8 ≠ 7 after the lock and
gets 409 `stale_version`; if the winner moved the state, the second action is also no longer allowed
(409 `invalid_transition`). On SQLite the IMMEDIATE transaction mode serialises the writers the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction

from accounts.jurisdiction import may_see_code
from accounts.models import Assignment, OrgUnit, User
from audit.actions import audit_row, record_audit_rows, record_event
from core.bulk import allocate_ids, insert_objects
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from outbox.actions import enqueue, enqueue_many
from territory.refs import DIVISIONS, GRIDS
from workcalendar.service import WorkHours, add_duration
from workflow.actors import actor_roles, in_unit
from workflow.clock import TimeLeft, describe, work_hours_of, working_seconds
from workflow.deadlines import move_clock, restart_step
from workflow.definitions import (
    ASSIGNMENT_FIELDS,
    UNITS,
    WARN_SHARE,
    ActionDef,
    ProcessDefinition,
    StateDef,
    definition_of_version,
)
from workflow.handlers import Handler, Step, handler_for
from workflow.listing import ORG_UNITS, attach_item_references
from workflow.models import Light, Priority, ProcessVersion, Transition, WorkItem, engine_writes
from workflow.publishing import current_version


def definition_for(item: WorkItem) -> ProcessDefinition:
    """The definition the item started with (its pinned version), never the file on disk."""
    version = item.process_version
    return definition_of_version(version.pk, version.content_hash, version.definition)


# ---------------------------------------------------------------------------------------------- access


def check_jurisdiction(actor: User, item: WorkItem) -> None:
    if actor.is_system:
        return
    if not may_see_code(actor, item.territory_code):
        raise NotFound()


def refusal(item: WorkItem, action: ActionDef, actor: User, roles: set[str]) -> DomainError | None:
    """Why `actor` may not take `action` on `item` (role and actor rule), or None when they may."""
    if not roles & set(action.roles):
        return PermissionRefused("not_allowed", f"您的角色无权执行“{action.title}”。")
    if actor.is_system:
        return None
    if action.actor == "assignee" and item.assignee_id != actor.pk:
        return PermissionRefused("not_allowed", f"只有本件承办人可以执行“{action.title}”。")
    if action.actor == "unit" and not in_unit(actor, item.assigned_unit_id):
        return PermissionRefused("not_allowed", f"只有承办机构的人员可以执行“{action.title}”。")
    return None


def available_actions(item: WorkItem, actor: User) -> list[ActionDef]:
    """The actions `actor` may take on `item` now (inputs not yet considered): allowed by the definition
    (role, actor rule), bound to a handler, and accepted by the handler's own actor check."""
    if item.closed_at is not None:
        return []
    definition = definition_for(item)
    roles = actor_roles(actor)
    offered = []
    for action in definition.actions_from(item.state):
        handler = handler_for(definition.name, action.name)
        if handler is None or refusal(item, action, actor, roles) is not None:
            continue
        if handler.actors is not None:
            step = Step(
                item=item,
                definition=definition,
                action=action,
                actor=actor,
                now=item.updated_at,
                inputs={},
                from_state=item.state,
            )
            try:
                handler.actors(step)
            except DomainError:
                continue
        offered.append(action)
    return offered


def bound_handler(definition: ProcessDefinition, action: ActionDef) -> Handler:
    """The handler bound to `action` (workflow.handlers); 409 `unbound_action` when there is none — a
    step without its stream's rules is never taken."""
    handler = handler_for(definition.name, action.name)
    if handler is None:
        raise Conflict(
            "unbound_action",
            f"动作“{action.title}”（{definition.name}.{action.name}）没有绑定处理规则，不能执行。",
            field="action",
        )
    return handler


# ---------------------------------------------------------------------------------------------- inputs


def _clean_inputs(action: ActionDef, reason: str, inputs: dict[str, Any]) -> dict[str, Any]:
    if action.requires.reason and not reason:
        raise DomainError("required", f"执行“{action.title}”须填写理由。", field="reason")
    attachments = inputs.get("attachments")
    if attachments is not None and (
        not isinstance(attachments, list) or not all(isinstance(a, str) and a for a in attachments)
    ):
        raise DomainError("invalid", "附件须为文件标识的列表。", field="inputs.attachments")
    if action.requires.attachments and not attachments:
        raise DomainError("required", f"执行“{action.title}”须上传附件。", field="inputs.attachments")
    for name in action.requires.fields:
        value = inputs.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DomainError("required", f"执行“{action.title}”须填写“{name}”。", field=f"inputs.{name}")
    return inputs


def _resolve_unit(value: Any, actor: User, item: WorkItem) -> OrgUnit:
    """The unit to assign: one in the actor's jurisdiction, or one whose territory contains the item's
    (handing an item up the chain, e.g. 吹哨 from a village to the town's agencies)."""
    unit = ORG_UNITS.by("code", str(value)) if value else None
    if unit is None or not (
        actor.is_system
        or may_see_code(actor, unit.territory_code)
        or item.territory_code.startswith(unit.territory_code)
    ):
        raise DomainError("invalid", "承办机构不存在或不在您的管辖范围内。", field="inputs.assigned_unit")
    return unit


def _resolve_assignee(value: Any, unit: OrgUnit | None) -> User | None:
    if not value:
        return None
    # One query: the active user with an active assignment in the unit.
    user = (
        User.objects.filter(
            username=str(value),
            is_active=True,
            assignments__org_unit_id=unit.pk,
            assignments__active=True,
        ).first()
        if unit is not None
        else None
    )
    if user is None:
        raise DomainError("invalid", "承办人不存在或不属于承办机构。", field="inputs.assignee")
    return user


# ---------------------------------------------------------------------------------------------- clock


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


# ---------------------------------------------------------------------------------------------- writes


def _snapshot(item: WorkItem) -> dict[str, Any]:
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


def _unit_members(unit_id: int | None, exclude: int | None) -> list[User]:
    if unit_id is None:
        return []
    ids = Assignment.objects.filter(org_unit_id=unit_id, active=True).values_list("user_id", flat=True)
    members = User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
    if exclude is not None:
        members = members.exclude(pk=exclude)
    return list(members)


def notify_item(item: WorkItem, *, kind: str, body: str, now: datetime, exclude: int | None = None) -> int:
    """Queue a message to the assignee, or to the members of the assigned unit when there is none."""
    if item.assignee_id is not None:
        recipients = [item.assignee] if item.assignee_id != exclude and item.assignee is not None else []
    else:
        recipients = _unit_members(item.assigned_unit_id, exclude)
    for recipient in recipients:
        enqueue(
            channel="console",
            kind=kind,
            recipient=recipient,
            subject=f"[{item.pk}] {item.title}",
            body=body,
            now=now,
            payload={"work_item": item.pk, "state": item.state},
        )
    return len(recipients)


GRID_CODE_LENGTH = 15  # grids have 15-digit codes, divisions 6, 9 or 12


def _check_territory(code: str) -> None:
    """The code names a division or a grid (from the process cache: no query once the row is held)."""
    caches = (GRIDS, DIVISIONS) if len(code) == GRID_CODE_LENGTH else (DIVISIONS, GRIDS)
    if not code or not any(cache.many([code]) for cache in caches):
        raise DomainError("invalid", "区划/网格代码不存在。", field="territory_code")


def new_item(
    version: ProcessVersion,
    definition: ProcessDefinition,
    *,
    now: datetime,
    title: str,
    territory_code: str,
    subject_type: str = "",
    subject_id: str = "",
    assigned_unit: OrgUnit | None = None,
    assignee: User | None = None,
    priority: int = Priority.NORMAL,
    limit_overrides: dict[str, dict[str, Any]] | None = None,
    work_hours: WorkHours | None = None,
) -> WorkItem:
    """An unsaved work item in the start state of `definition` at `now`, with the overall and the first
    step's deadlines set (no checks: the callers — `do_start_item`, `workflow.bulk` — have made them)."""
    start = definition.states[definition.start_state]
    hours = work_hours if work_hours is not None else work_hours_of(assigned_unit)
    item = WorkItem(
        process_version=version,
        process_name=definition.name,
        title=title.strip(),
        subject_type=subject_type,
        subject_id=subject_id,
        state=start.name,
        territory_code=territory_code,
        assigned_unit=assigned_unit,
        assignee=assignee,
        priority=priority,
        created_at=now,
        updated_at=now,
        step_started_at=now,
        limit_overrides=limit_overrides or {},
    )
    if definition.time_limit is not None:
        due = add_duration(now, definition.time_limit.amount, definition.time_limit.unit, work_hours=hours)
        item.due_at, item.due_provisional = due.at, due.provisional
    restart_step(item, start, now, hours)
    return item


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


def do_start_item(
    process_name: str,
    *,
    actor: User,
    now: datetime,
    title: str,
    territory_code: str,
    subject_type: str = "",
    subject_id: str = "",
    assigned_unit: OrgUnit | None = None,
    assignee: User | None = None,
    priority: int = Priority.NORMAL,
    inputs: dict[str, Any] | None = None,
    reason: str = "",
    limits: dict[str, Any] | None = None,
) -> WorkItem:
    """Create a work item in the process's start state, pinned to the current published version.
    `limits` ({state: {amount, unit}}) overrides the definition's step limits for this item (see
    `WorkItem.limit_overrides`); it is set by calling code, never taken from a request."""
    if not title.strip():
        raise DomainError("required", "请填写标题。", field="title")
    _check_territory(territory_code)
    if not actor.is_system and not may_see_code(actor, territory_code):
        raise NotFound(field="territory_code")
    version = current_version(process_name, now=now)
    definition = definition_of_version(version.pk, version.content_hash, version.definition)
    if not actor_roles(actor) & set(definition.start_roles):
        raise PermissionRefused("not_allowed", f"您的角色无权发起“{definition.title}”。")
    if assigned_unit is not None and not (
        actor.is_system or may_see_code(actor, assigned_unit.territory_code)
    ):
        raise DomainError("invalid", "承办机构不在您的管辖范围内。", field="assigned_unit")
    if assignee is not None and (assigned_unit is None or not in_unit(assignee, assigned_unit.pk)):
        raise DomainError("invalid", "承办人不属于承办机构。", field="assignee")
    if priority not in Priority.values:
        raise DomainError("invalid", "优先级无效。", field="priority")
    overrides = clean_limits(definition, limits)
    start = definition.states[definition.start_state]
    work_hours = work_hours_of(assigned_unit)
    with transaction.atomic(), engine_writes():
        item = new_item(
            version,
            definition,
            now=now,
            title=title,
            territory_code=territory_code,
            subject_type=subject_type,
            subject_id=subject_id,
            assigned_unit=assigned_unit,
            assignee=assignee,
            priority=priority,
            limit_overrides=overrides,
            work_hours=work_hours,
        )
        item.save()
        Transition.objects.create(
            item=item,
            action="start",
            from_state="",
            to_state=start.name,
            actor=actor,
            reason=reason.strip(),
            inputs=inputs or {},
            occurred_at=now,
            step_elapsed_seconds=None,
            step_unit=item.step_unit,
        )
        record_event(
            actor=actor,
            action="workflow.start",
            subject=item,
            territory_code=item.territory_code,
            after={**_snapshot(item), "process": definition.name, "process_version": version.version},
            now=now,
        )
        notify_item(item, kind="workflow.assigned", body=f"新办件：{item.title}", now=now, exclude=actor.pk)
    return item


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
            "after": {**_snapshot(item), "transition": record.pk, "reason": self.step.reason},
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
    _clean_inputs(action_def, step.reason, inputs)
    overrides = clean_limits(definition, {**(limits or {}), **step.limits})

    before = _snapshot(locked)
    if overrides:
        locked.limit_overrides = {**(locked.limit_overrides or {}), **overrides}
    elapsed, step_unit, target = advance(
        locked,
        definition,
        action_def,
        now,
        reassign=lambda: _reassign(locked, action_def, actor, inputs),
    )
    return _Move(step, handler, before, source, target, elapsed, step_unit)


def _finish(move: _Move) -> None:
    """After the rows are written: the handler's effect, then the engine's notification."""
    if move.handler.effect is not None:
        move.handler.effect(move.step)
    notice = move.notice()
    if notice is not None:
        notify_item(move.step.item, now=move.step.now, **notice)


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


def insert_new(objs: Sequence[models.Model]) -> None:
    """INSERT new rows of one model at once, ids reserved up front (`core.bulk`: one COPY on
    PostgreSQL, one executemany on SQLite) — what `bulk_create` stores, without its per-value cost."""

    if not objs:
        return
    for obj, pk in zip(objs, allocate_ids(type(objs[0]), len(objs)), strict=True):
        obj.pk = pk
    insert_objects(objs)


_item_columns: dict[str, tuple[str, list[tuple[str, Callable[[Any], Any]]]]] = {}


def _item_update() -> tuple[str, list[tuple[str, Callable[[Any], Any]]]]:
    """The UPDATE of every work item column and, per column, the conversion `save()` would make (JSON
    as its text; datetimes as they are on PostgreSQL, as Django's text on SQLite; the plain kinds as
    they are), for this database (cached)."""
    found = _item_columns.get(connection.vendor)
    if found is not None:
        return found
    quote = connection.ops.quote_name
    fields = [f for f in WorkItem._meta.concrete_fields if not f.primary_key]
    sql = (
        f"UPDATE {quote(WorkItem._meta.db_table)} SET "  # noqa: S608 - the model's own names
        + ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
        + f" WHERE {quote(str(WorkItem._meta.pk.column))} = %s"
    )
    plain = (models.IntegerField, models.FloatField, models.BooleanField, models.CharField, models.TextField)
    conversions: list[tuple[str, Callable[[Any], Any]]] = []
    for f in fields:
        if isinstance(f, models.JSONField):
            conversions.append((f.attname, _json_text(f.encoder)))
        elif isinstance(f, models.DateTimeField):
            if connection.vendor == "postgresql":
                conversions.append((f.attname, _as_is))
            else:
                conversions.append((f.attname, connection.ops.adapt_datetimefield_value))
        elif isinstance(f, plain | models.ForeignKey):
            conversions.append((f.attname, _as_is))
        else:
            conversions.append((f.attname, _prepared(f)))
    _item_columns[connection.vendor] = (sql, conversions)
    return sql, conversions


def _as_is(value: Any) -> Any:
    return value


def _json_text(encoder: Any) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return None if value is None else json.dumps(value, cls=encoder)

    return convert


def _prepared(field: Any) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return convert


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


def notify_items(notices: list[tuple[WorkItem, dict[str, Any]]], *, now: datetime) -> int:
    """`notify_item` for many items (each with its kind, body and exclude): one query per unit whose
    members are told, one INSERT for all the messages."""
    members: dict[tuple[int | None, int | None], list[User]] = {}
    messages = []
    for item, notice in notices:
        exclude = notice.get("exclude")
        if item.assignee_id is not None:
            recipients = [item.assignee] if item.assignee_id != exclude and item.assignee is not None else []
        else:
            key = (item.assigned_unit_id, exclude)
            if key not in members:
                members[key] = _unit_members(item.assigned_unit_id, exclude)
            recipients = members[key]
        for recipient in recipients:
            messages.append(
                {
                    "channel": "console",
                    "kind": notice["kind"],
                    "recipient": recipient,
                    "subject": f"[{item.pk}] {item.title}",
                    "body": notice["body"],
                    "now": now,
                    "payload": {"work_item": item.pk, "state": item.state},
                }
            )
    enqueue_many(messages, insert=insert_new)
    return len(messages)


def _reassign(item: WorkItem, action: ActionDef, actor: User, inputs: dict[str, Any]) -> None:
    if action.reassign == "self":
        if not actor.is_system:
            item.assignee = actor
    elif action.reassign == "parent_unit":
        unit = item.assigned_unit
        if unit is None or unit.parent_id is None:
            raise Conflict("invalid_transition", "承办机构没有上级机构，无法上报。")
        parent = ORG_UNITS.many([unit.parent_id]).get(unit.parent_id)
        if parent is None:
            raise OrgUnit.DoesNotExist(f"OrgUnit {unit.parent_id}")
        item.assigned_unit = parent
        item.assignee = None
    elif action.reassign == "input" and any(inputs.get(name) for name in ASSIGNMENT_FIELDS):
        unit = (
            _resolve_unit(inputs.get("assigned_unit"), actor, item)
            if inputs.get("assigned_unit")
            else item.assigned_unit
        )
        item.assigned_unit = unit
        item.assignee = _resolve_assignee(inputs.get("assignee"), unit)
