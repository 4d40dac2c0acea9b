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

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.jurisdiction import may_see_code
from accounts.models import Assignment, OrgUnit, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
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
from workflow.outbox import enqueue
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
        problem = refusal(locked, action_def, actor, actor_roles(actor))
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
        reason = step.reason.strip()  # a guard may complete it (e.g. the default corrections note)
        _clean_inputs(action_def, reason, inputs)
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
        locked.save()
        record = Transition.objects.create(
            item=locked,
            action=action_def.name,
            from_state=source.name,
            to_state=target.name,
            actor=actor,
            reason=reason,
            inputs=inputs,
            occurred_at=now,
            step_elapsed_seconds=elapsed,
            step_unit=step_unit,
        )
        record_event(
            actor=actor,
            action=f"workflow.{action_def.name}",
            subject=locked,
            territory_code=locked.territory_code,
            before=before,
            after={**_snapshot(locked), "transition": record.pk, "reason": reason},
            now=now,
        )
        if handler.effect is not None:
            handler.effect(step)
        reassigned = (before["assigned_unit"], before["assignee"]) != (
            locked.assigned_unit_id,
            locked.assignee_id,
        )
        if reassigned or actor.is_system:
            notify_item(
                locked,
                kind=f"workflow.{action_def.name}",
                body=f"{action_def.title}：{locked.title}（{target.title}）",
                now=now,
                exclude=actor.pk,
            )
    for field in WorkItem._meta.concrete_fields:
        setattr(item, field.attname, getattr(locked, field.attname))
    item._persisted_state = locked.state
    return locked


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
