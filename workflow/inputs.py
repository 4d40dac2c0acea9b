"""What an action is given: the definition's required reason, fields and attachments checked, and the
unit or assignee an action hands the item to (its `reassign` rule: the actor, the parent unit, or the
unit/assignee named in the inputs) resolved within the actor's reach."""

from __future__ import annotations

from typing import Any

from accounts.jurisdiction import may_see_code
from accounts.models import OrgUnit, User
from core.errors import Conflict, DomainError
from workflow.listing import ORG_UNITS
from workflow.models import WorkItem
from workflow.process_definition import ASSIGNMENT_FIELDS, ActionDef


def clean_inputs(action: ActionDef, reason: str, inputs: dict[str, Any]) -> dict[str, Any]:
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


def apply_reassignment(item: WorkItem, action: ActionDef, actor: User, inputs: dict[str, Any]) -> None:
    """Hand the item on as the action's `reassign` rule says (in memory: the engine saves it)."""
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
            resolve_unit(inputs.get("assigned_unit"), actor, item)
            if inputs.get("assigned_unit")
            else item.assigned_unit
        )
        item.assigned_unit = unit
        item.assignee = resolve_assignee(inputs.get("assignee"), unit)


def resolve_unit(value: Any, actor: User, item: WorkItem) -> OrgUnit:
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


def resolve_assignee(value: Any, unit: OrgUnit | None) -> User | None:
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
