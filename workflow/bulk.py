"""Writing work items in bulk, owned by the engine (like `workflow.engine`, this module may write a work
item's state; nothing outside the two does — `workflow/tests/test_state_writes.py`).

- `do_import_items`: recorded histories (a legacy migration, the demo's month). Each record's steps are
  replayed IN MEMORY against the pinned definition with the engine's own functions
  (`start.new_item`, `engine.advance` → `deadlines.move_clock`, `restart_step`, `pause`, `resume`,
  `extend`, `deadlines.step_elapsed_seconds`), so every deadline, pause and closure is what `transition()`
  would have written; then the items and transitions are `bulk_create`d in one transaction with one
  summary audit event for the batch. A replay records history that already happened: the streams' step
  handlers (`workflow.handlers`) are not run again — the stream's own records come with the history
  (e.g. `demo.history` writes the events' levels and photos itself).
- `do_start_items_bulk`: many new items in the start state (an intake import), with `do_start_item`'s
  checks made set-wise, one audit event for the batch and the notifications bulk-created.
- Under both, the fast inserts of `core.bulk` (`allocate_ids`, `insert_objects`, `insert_rows`,
  `create_objects`: ids reserved up front, one COPY per table on PostgreSQL).

Why an import does not check each step's role and jurisdiction: the recorded actors acted under the
posts they held then, which today's assignments no longer show (people move, units merge). Whoever
imports vouches for the history instead: the system actor, a superuser, or a data steward
(数据管理员), and that person is named in the batch's audit event. What the definition says is still
enforced per step: the action must exist and be allowed from the state the replay has reached, its
required reason/fields/attachments must be there, a reassignment must name an existing unit/user, and
time must not run backwards or past `now`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.jurisdiction import jurisdiction_codes
from accounts.models import Assignment, OrgUnit, Role, User
from audit.actions import record_event
from core.bulk import allocate_ids, create_objects, insert_rows
from core.errors import DomainError, NotFound, PermissionRefused
from outbox.actions import outbox_committed
from outbox.models import OutboxMessage
from territory.models import Division, Grid
from territory.scoping import covers
from workflow.actors import actor_roles
from workflow.deadlines import clean_limits
from workflow.models import Priority, ProcessVersion, Transition, WorkItem, engine_writes
from workflow.process_definition import ProcessDefinition, definition_of_version
from workflow.publishing import current_version
from workflow.replay import Hours, ItemRecord, RecordedStep, Replay, refuse
from workflow.start import fit_title, new_item

TERRITORY_LEVELS = (15, 12, 9, 6)
# The public names; core.bulk's inserts stay importable from here for the callers written before
# they moved down (the grid's bulk intake).
__all__ = [
    "ItemRecord",
    "RecordedStep",
    "StartSpec",
    "allocate_ids",
    "create_objects",
    "do_import_items",
    "do_start_items_bulk",
    "insert_rows",
    "may_import",
]


@dataclass
class StartSpec:
    """One new item for `do_start_items_bulk` (the arguments of `do_start_item`)."""

    title: str
    territory_code: str
    subject_type: str = ""
    subject_id: str = ""
    assigned_unit: OrgUnit | None = None
    assignee: User | None = None
    priority: int = Priority.NORMAL
    inputs: dict[str, Any] | None = None
    reason: str = ""
    limits: dict[str, Any] | None = None


# ---------------------------------------------------------------------------------------------- shared


def _pinned(process_name: str, now: datetime) -> tuple[ProcessVersion, ProcessDefinition]:
    version = current_version(process_name, now=now)
    return version, definition_of_version(version.pk, version.content_hash, version.definition)


def _existing_codes(codes: set[str]) -> set[str]:
    """Which of `codes` are divisions or grids: one query."""
    if not codes:
        return set()
    query = (
        Division.objects.filter(code__in=codes)
        .order_by()
        .values_list("code", flat=True)
        .union(Grid.objects.filter(code__in=codes).order_by().values_list("code", flat=True))
    )
    return set(query)


def _batch_territory(codes: Sequence[str]) -> str:
    """The narrowest division code covering every item of the batch (for the audit event's scope)."""
    prefix = ""
    if codes:
        first, last = min(codes), max(codes)  # the common prefix of all is that of the extremes
        prefix = first[
            : next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first))
        ]
    return next((prefix[:n] for n in TERRITORY_LEVELS if len(prefix) >= n), "")


def _summary(
    *,
    actor: User,
    action: str,
    items: list[WorkItem],
    definition: ProcessDefinition,
    version: ProcessVersion,
    transitions: int,
    now: datetime,
) -> None:
    record_event(
        actor=actor,
        action=action,
        subject_type="workflow.workitem",
        subject_id=f"{items[0].pk}-{items[-1].pk}",
        territory_code=_batch_territory([i.territory_code for i in items]),
        after={
            "count": len(items),
            "process": definition.name,
            "process_version": version.version,
            "first_id": items[0].pk,
            "last_id": items[-1].pk,
            "transitions": transitions,
        },
        now=now,
    )


# ---------------------------------------------------------------------------------------------- import


def may_import(actor: User) -> bool:
    return bool(actor.is_system or actor.is_superuser or Role.DATA_STEWARD.value in actor_roles(actor))


def do_import_items(
    process_name: str,
    records: Sequence[ItemRecord],
    *,
    actor: User,
    now: datetime,
    escalate: bool = True,
) -> list[WorkItem]:
    """Import recorded histories of process `process_name`, pinned to its current published version.

    Each record is replayed in memory (see the module docstring for what is and is not checked); a
    record that does not fit the definition refuses the whole batch with a DomainError naming the
    record index and step (field `records[i].transitions[n]`). With `escalate` (the default), the
    replay also does what the sweeper would have done up to `now` — warning and overdue marks, and the
    rule's overdue action (督办) recorded as the system actor at the deadline — so an imported overdue
    item is not escalated again by the next sweep. Nobody is notified of the past: no outbox rows.
    One transaction: the items, their transitions and ONE audit event for the batch."""
    if not may_import(actor):
        raise PermissionRefused("not_allowed", "只有系统、超级管理员或数据管理员可以导入办件历史。")
    if not records:
        return []
    version, definition = _pinned(process_name, now)
    known = _existing_codes({r.territory_code for r in records})
    items: list[WorkItem] = []
    histories: list[list[Transition]] = []
    replay = Replay(definition, records, now=now, escalate=escalate)
    for index, record in enumerate(records):
        if not record.title.strip():
            raise refuse(index, None, "请填写标题。")
        if record.territory_code not in known:
            raise refuse(index, None, f"区划/网格代码“{record.territory_code}”不存在。")
        if record.priority not in Priority.values:
            raise refuse(index, None, "优先级无效。")
        if record.created_at > now:
            raise refuse(index, None, "创建时间晚于导入时间。")
        try:
            overrides = clean_limits(definition, record.limits)
        except DomainError as error:
            raise refuse(index, None, error.message) from error
        item = new_item(
            version,
            definition,
            now=record.created_at,
            title=record.title,
            territory_code=record.territory_code,
            subject_type=record.subject_type,
            subject_id=record.subject_id,
            assigned_unit=record.assigned_unit,
            assignee=record.assignee,
            priority=record.priority,
            limit_overrides=overrides,
            work_hours=replay.hours(record.assigned_unit),
        )
        rows = [
            Transition(
                action="start",
                from_state="",
                to_state=item.state,
                actor=record.started_by or actor,
                reason=record.start_reason.strip(),
                inputs=dict(record.start_inputs),
                occurred_at=record.created_at,
                step_elapsed_seconds=None,
                step_unit=item.step_unit,
            )
        ]
        replay.replay(index, record, item, rows)
        items.append(item)
        histories.append(rows)
    with transaction.atomic(), engine_writes():
        WorkItem.objects.bulk_create(items)
        transitions: list[Transition] = []
        for item, rows in zip(items, histories, strict=True):
            for row in rows:
                row.item = item
            transitions += rows
        Transition.objects.bulk_create(transitions)
        _summary(
            actor=actor,
            action="workflow.import",
            items=items,
            definition=definition,
            version=version,
            transitions=len(transitions),
            now=now,
        )
    for item in items:
        item._persisted_state = item.state
    return items


# ---------------------------------------------------------------------------------------------- start


def _check_specs(
    specs: Sequence[StartSpec], actor: User, definition: ProcessDefinition
) -> list[dict[str, dict[str, Any]]]:
    """`do_start_item`'s checks over the whole batch: roles once, territory codes in one query, units
    and assignees once each. Returns the cleaned limits per spec."""
    if not actor_roles(actor) & set(definition.start_roles):
        raise PermissionRefused("not_allowed", f"您的角色无权发起“{definition.title}”。")
    codes = {s.territory_code for s in specs}
    known = _existing_codes(codes)
    mine = [] if actor.is_system else jurisdiction_codes(actor)
    priorities = set(Priority.values)
    covered: dict[str, bool] = {}

    def mine_covers(code: str) -> bool:
        if code not in covered:
            covered[code] = covers(mine, code)
        return covered[code]

    for index, spec in enumerate(specs):
        if not spec.title.strip():
            raise DomainError("required", f"第 {index} 条：请填写标题。", field=f"specs[{index}].title")
        if spec.territory_code not in known:
            raise DomainError(
                "invalid", f"第 {index} 条：区划/网格代码不存在。", field=f"specs[{index}].territory_code"
            )
        if not actor.is_system and not mine_covers(spec.territory_code):
            raise NotFound(field=f"specs[{index}].territory_code")
        if spec.priority not in priorities:
            raise DomainError("invalid", f"第 {index} 条：优先级无效。", field=f"specs[{index}].priority")
        unit = spec.assigned_unit
        if unit is not None and not (actor.is_system or mine_covers(unit.territory_code)):
            raise DomainError(
                "invalid",
                f"第 {index} 条：承办机构不在您的管辖范围内。",
                field=f"specs[{index}].assigned_unit",
            )
        if spec.assignee is not None and unit is None:
            raise DomainError(
                "invalid", f"第 {index} 条：承办人不属于承办机构。", field=f"specs[{index}].assignee"
            )
    pairs = {(s.assignee.pk, s.assigned_unit.pk) for s in specs if s.assignee and s.assigned_unit}
    if pairs:
        members = set(
            Assignment.objects.filter(
                user_id__in={u for u, _ in pairs}, org_unit_id__in={o for _, o in pairs}, active=True
            ).values_list("user_id", "org_unit_id")
        )
        for index, spec in enumerate(specs):
            if (
                spec.assignee
                and spec.assigned_unit
                and (spec.assignee.pk, spec.assigned_unit.pk) not in members
            ):
                raise DomainError(
                    "invalid", f"第 {index} 条：承办人不属于承办机构。", field=f"specs[{index}].assignee"
                )
    # Equal limits share one cleaned dict (callers often pass the same object for many specs).
    cleaned: dict[str, dict[str, dict[str, Any]]] = {}
    by_object: dict[int, dict[str, dict[str, Any]]] = {}
    result = []
    for spec in specs:
        hit = by_object.get(id(spec.limits))
        if hit is None:
            key = repr(sorted((spec.limits or {}).items()))
            if key not in cleaned:
                cleaned[key] = clean_limits(definition, spec.limits)
            hit = by_object[id(spec.limits)] = cleaned[key]
        result.append(hit)
    return result


# The columns a start spec sets itself; every other column of a new item is the same for all items of
# a batch with the same limits and working hours (they all start at `now`).
_PER_ITEM = frozenset(
    {
        "id",
        "title",
        "subject_type",
        "subject_id",
        "territory_code",
        "assigned_unit_id",
        "assignee_id",
        "priority",
        "limit_overrides",
    }
)


def do_start_items_bulk(
    process_name: str, specs: Sequence[StartSpec], *, actor: User, now: datetime
) -> list[WorkItem]:
    """Start many items of `process_name` at `now`, as `do_start_item` would one by one: the same checks
    made set-wise (a bad spec refuses the batch, the error's field names its index), the same
    deadlines (computed once per distinct limits × working hours — every item starts at `now`), the
    start transitions, the notifications to each item's assignee or unit members (bulk-created; the
    outbox is told after commit), and ONE audit event for the batch (count, process, first/last ids)."""
    if not specs:
        return []
    version, definition = _pinned(process_name, now)
    limits = _check_specs(specs, actor, definition)
    hours = Hours()
    templates: dict[tuple[int, int | None], dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for spec, overrides in zip(specs, limits, strict=True):
        unit = spec.assigned_unit
        unit_id = unit.pk if unit is not None else None
        key = (id(overrides), unit_id)  # equal limits are one object (`_check_specs`)
        template = templates.get(key)
        if template is None:
            first = new_item(
                version,
                definition,
                now=now,
                title=spec.title,
                territory_code=spec.territory_code,
                assigned_unit=unit,
                limit_overrides=overrides,
                work_hours=hours(unit),
            )
            template = templates[key] = {
                f.attname: getattr(first, f.attname)
                for f in WorkItem._meta.concrete_fields
                if f.attname not in _PER_ITEM
            }
        row = dict(template)
        row["title"] = fit_title(spec.title)
        row["subject_type"] = spec.subject_type
        row["subject_id"] = spec.subject_id
        row["territory_code"] = spec.territory_code
        row["assigned_unit_id"] = unit_id
        row["assignee_id"] = spec.assignee.pk if spec.assignee is not None else None
        row["priority"] = spec.priority
        row["limit_overrides"] = overrides
        rows.append(row)
    with transaction.atomic(), engine_writes():
        for row, pk in zip(rows, allocate_ids(WorkItem, len(rows)), strict=True):
            row["id"] = pk
        items = create_objects(WorkItem, rows)
        for item, spec in zip(items, specs, strict=True):
            cache = item._state.fields_cache
            cache["process_version"] = version
            cache["assigned_unit"] = spec.assigned_unit
            cache["assignee"] = spec.assignee
            item._persisted_state = item.state
        ids = allocate_ids(Transition, len(items))
        insert_rows(
            Transition,
            [
                {
                    "id": pk,
                    "item_id": item.pk,
                    "action": "start",
                    "from_state": "",
                    "to_state": item.state,
                    "actor_id": actor.pk,
                    "reason": spec.reason.strip(),
                    "inputs": spec.inputs or {},
                    "occurred_at": now,
                    "step_elapsed_seconds": None,
                    "step_unit": item.step_unit,
                }
                for pk, item, spec in zip(ids, items, specs, strict=True)
            ],
        )
        _summary(
            actor=actor,
            action="workflow.start_bulk",
            items=items,
            definition=definition,
            version=version,
            transitions=len(items),
            now=now,
        )
        _notify_started(items, actor=actor, now=now)
    return items


def _notify_started(items: list[WorkItem], *, actor: User, now: datetime) -> None:
    """`notices.notify_item(kind="workflow.assigned")` for each item, set-wise: members of the units
    without an assignee loaded in one query, the messages bulk-created."""
    unit_ids = {i.assigned_unit_id for i in items if i.assignee_id is None and i.assigned_unit_id}
    members: dict[int, list[int]] = {}
    if unit_ids:
        for unit_id, user_id in (
            Assignment.objects.filter(org_unit_id__in=unit_ids, active=True, user__is_active=True)
            .order_by("user_id")
            .values_list("org_unit_id", "user_id")
            .distinct()
        ):
            members.setdefault(unit_id, []).append(user_id)
    messages: list[dict[str, Any]] = []
    for item in items:
        if item.assignee_id is not None:
            recipients = [item.assignee_id]
        else:
            recipients = members.get(item.assigned_unit_id or 0, [])
        messages += [
            {
                "created_at": now,
                "channel": OutboxMessage.Channel.CONSOLE,
                "recipient_id": user_id,
                "kind": "workflow.assigned",
                "subject": f"[{item.pk}] {item.title}",
                "body": f"新办件：{item.title}",
                "payload": {"work_item": item.pk, "state": item.state},
                "next_attempt_at": now,
            }
            for user_id in dict.fromkeys(recipients)
            if user_id != actor.pk
        ]
    if messages:
        ids = allocate_ids(OutboxMessage, len(messages))
        for message, pk in zip(messages, ids, strict=True):
            message["id"] = pk
        insert_rows(OutboxMessage, messages)
        transaction.on_commit(lambda: outbox_committed.send(sender=OutboxMessage, message_ids=ids))
