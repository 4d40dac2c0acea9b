"""Replaying a recorded history in memory (for `workflow.bulk.do_import_items`): each record's steps
run against the pinned definition with the engine's own functions (`engine.advance` →
`deadlines.move_clock`, …), and — with `escalate` — what the sweeper would have done up to `now`, so
every deadline, pause and closure is what `transition()` would have written. Nothing is written here:
the engine's bulk module stores the items and transitions the replay built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from accounts.models import OrgUnit, User
from core.errors import DomainError
from workcalendar.service import WorkHours
from workflow.actors import system_actor
from workflow.clock import work_hours_of
from workflow.engine import advance
from workflow.inputs import clean_inputs
from workflow.models import Priority, Transition, WorkItem
from workflow.process_definition import ASSIGNMENT_FIELDS, ActionDef, ProcessDefinition


@dataclass
class RecordedStep:
    """One action of a recorded history, as `transition()` would have been called."""

    action: str
    actor: User
    occurred_at: datetime
    inputs: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass
class ItemRecord:
    """A work item to import: its fields at creation and its ordered steps after the start."""

    title: str
    territory_code: str
    created_at: datetime
    transitions: Sequence[RecordedStep] = ()
    subject_type: str = ""
    subject_id: str = ""
    assigned_unit: OrgUnit | None = None
    assignee: User | None = None
    priority: int = Priority.NORMAL
    limits: dict[str, Any] | None = None
    started_by: User | None = None  # the start transition's actor; the importing actor when None
    start_inputs: dict[str, Any] = field(default_factory=dict)
    start_reason: str = ""


class Hours:
    """Working hours per unit, parsed once per batch."""

    def __init__(self) -> None:
        self._cache: dict[int | None, WorkHours] = {}

    def __call__(self, unit: OrgUnit | None) -> WorkHours:
        key = unit.pk if unit is not None else None
        if key not in self._cache:
            self._cache[key] = work_hours_of(unit)
        return self._cache[key]


def refuse(index: int, step: int | None, message: str) -> DomainError:
    if step is None:
        return DomainError("invalid_record", f"第 {index} 条记录：{message}", field=f"records[{index}]")
    return DomainError(
        "invalid_record",
        f"第 {index} 条记录第 {step} 步：{message}",
        field=f"records[{index}].transitions[{step}]",
    )


class Replay:
    """The in-memory replay of one batch: lookups loaded once, items advanced step by step."""

    def __init__(
        self,
        definition: ProcessDefinition,
        records: Sequence[ItemRecord],
        *,
        now: datetime,
        escalate: bool,
    ) -> None:
        self.definition = definition
        self.now = now
        self.escalate = escalate
        self.hours = Hours()
        self.system = system_actor() if escalate else None
        unit_codes: set[str] = set()
        usernames: set[str] = set()
        for record in records:
            for step in record.transitions:
                if step.inputs.get("assigned_unit"):
                    unit_codes.add(str(step.inputs["assigned_unit"]))
                if step.inputs.get("assignee"):
                    usernames.add(str(step.inputs["assignee"]))
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__in=unit_codes)}
        parents = {u.parent_id for u in self.units.values() if u.parent_id is not None} | {
            r.assigned_unit.parent_id
            for r in records
            if r.assigned_unit is not None and r.assigned_unit.parent_id is not None
        }
        self.parents = {u.pk: u for u in OrgUnit.objects.filter(pk__in=parents)}
        self.users = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}

    def _parent(self, unit: OrgUnit | None) -> OrgUnit | None:
        if unit is None or unit.parent_id is None:
            return None
        parent = self.parents.get(unit.parent_id)
        if parent is None:  # a parent's parent: not preloaded
            parent = OrgUnit.objects.get(pk=unit.parent_id)
            self.parents[parent.pk] = parent
        return parent

    def _reassign(self, item: WorkItem, action: ActionDef, step: RecordedStep, where: Any) -> None:
        """The engine's `_reassign` on preloaded units/users (no jurisdiction check: see the module)."""
        if action.reassign == "self":
            if not step.actor.is_system:
                item.assignee = step.actor
        elif action.reassign == "parent_unit":
            parent = self._parent(item.assigned_unit)
            if parent is None:
                raise where("承办机构没有上级机构，无法上报。")
            item.assigned_unit, item.assignee = parent, None
        elif action.reassign == "input" and any(step.inputs.get(n) for n in ASSIGNMENT_FIELDS):
            unit = item.assigned_unit
            if step.inputs.get("assigned_unit"):
                unit = self.units.get(str(step.inputs["assigned_unit"]))
                if unit is None:
                    raise where(f"承办机构“{step.inputs['assigned_unit']}”不存在。")
            assignee = None
            if step.inputs.get("assignee"):
                assignee = self.users.get(str(step.inputs["assignee"]))
                if assignee is None:
                    raise where(f"承办人“{step.inputs['assignee']}”不存在。")
            item.assigned_unit, item.assignee = unit, assignee

    def _sweep_until(
        self, item: WorkItem, moment: datetime, upcoming: RecordedStep | None, rows: list[Transition]
    ) -> None:
        """What `workflow.sweeper.sweep` would have done by `moment`: the warning mark, the overdue mark
        and the rule's overdue action (as the system actor, at the deadline). When the next recorded
        step is that very action, it is taken as the sweeper's own (no second one is added)."""
        if not self.escalate or item.closed_at is not None:
            return
        if item.warn_at is not None and item.warned_at is None and item.warn_at <= moment:
            item.warned_at = item.warn_at
        due = item.step_due_at
        if due is None or item.overdue_at is not None or due > moment:
            return
        rule = self.definition.rule_for(item.state)
        action_name = rule.overdue_action if rule is not None else None
        if action_name is not None and upcoming is not None and upcoming.action == action_name:
            item.overdue_at = upcoming.occurred_at
            return
        item.overdue_at = due
        if action_name is None:
            return
        assert self.system is not None
        action = self.definition.actions[action_name]
        source = item.state
        elapsed, step_unit, target = advance(
            item, self.definition, action, due, reassign=lambda: None, hours_of=self.hours
        )
        rows.append(
            Transition(
                action=action.name,
                from_state=source,
                to_state=target.name,
                actor=self.system,
                reason="本环节已超期，系统自动处理。",
                inputs={},
                occurred_at=due,
                step_elapsed_seconds=elapsed,
                step_unit=step_unit,
            )
        )

    def replay(self, index: int, record: ItemRecord, item: WorkItem, rows: list[Transition]) -> None:
        previous = record.created_at
        steps = list(record.transitions)
        for number, step in enumerate(steps):

            def where(message: str, n: int = number) -> DomainError:
                return refuse(index, n, message)

            action = self.definition.actions.get(step.action)
            if action is None:
                raise where(f"本流程没有动作“{step.action}”。")
            if step.occurred_at < previous or step.occurred_at > self.now:
                raise where("时间须不早于上一步且不晚于导入时间。")
            self._sweep_until(item, step.occurred_at, step, rows)
            if item.state not in action.sources:
                title = self.definition.states[item.state].title
                raise where(f"办件当时为“{title}”，不能执行“{action.title}”。")
            reason = (step.reason or "").strip()
            try:
                clean_inputs(action, reason, step.inputs)
            except DomainError as error:
                raise where(error.message) from error
            source = item.state
            try:
                elapsed, step_unit, target = advance(
                    item,
                    self.definition,
                    action,
                    step.occurred_at,
                    reassign=lambda a=action, s=step, w=where: self._reassign(item, a, s, w),  # type: ignore[misc]
                    hours_of=self.hours,
                )
            except DomainError as error:
                if error.field and error.field.startswith("records["):
                    raise
                raise where(error.message) from error
            rows.append(
                Transition(
                    action=action.name,
                    from_state=source,
                    to_state=target.name,
                    actor=step.actor,
                    reason=reason,
                    inputs=dict(step.inputs),
                    occurred_at=step.occurred_at,
                    step_elapsed_seconds=elapsed,
                    step_unit=step_unit,
                )
            )
            previous = step.occurred_at
        self._sweep_until(item, self.now, None, rows)
