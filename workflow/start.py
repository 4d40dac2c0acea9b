"""Starting a work item: `do_start_item` checks and creates one in its process's start state, pinned to
the current published version; `new_item` builds the unsaved item with its deadlines (shared with the
bulk starts and imports of `workflow.bulk`). Like `workflow.engine`, this module writes a work item's
state; nothing outside the engine's modules does (`workflow/tests/test_state_writes.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.text import Truncator

from accounts.jurisdiction import may_see_code
from accounts.models import OrgUnit, User
from audit.actions import record_event
from core.errors import DomainError, NotFound, PermissionRefused
from territory.refs import DIVISIONS, GRID_CODE_LENGTH, GRIDS
from workcalendar.service import WorkHours, add_duration
from workflow.actors import actor_roles, in_unit
from workflow.clock import work_hours_of
from workflow.deadlines import clean_limits, restart_step
from workflow.engine import item_snapshot
from workflow.models import Priority, ProcessVersion, Transition, WorkItem, engine_writes
from workflow.notices import notify_item
from workflow.process_definition import ProcessDefinition, definition_of_version
from workflow.publishing import current_version

TITLE_LENGTH = WorkItem._meta.get_field("title").max_length or 200
ELLIPSIS = "…"  # stored text: the same in every language (Django's default follows the active one)


def fit_title(title: str) -> str:
    """A work item's title as stored: stripped, and shortened on a character with an ellipsis when it is
    longer than the column (titles are built from a resident's description, a purpose, a place name…;
    a long one must not fail the start on PostgreSQL, nor be cut differently on SQLite)."""
    return Truncator(title.strip()).chars(TITLE_LENGTH, truncate=ELLIPSIS)


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
        title=fit_title(title),
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
            after={**item_snapshot(item), "process": definition.name, "process_version": version.version},
            now=now,
        )
        notify_item(item, kind="workflow.assigned", body=f"新办件：{item.title}", now=now, exclude=actor.pk)
    return item
