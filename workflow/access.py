"""Who may act on a work item, and what they are offered: the jurisdiction check (404 outside it), the
definition's role and actor rule, and the bound handler's own actor check. `transition()` refuses with
these; pages and APIs list `available_actions` so that they only offer what would be accepted."""

from __future__ import annotations

from accounts.jurisdiction import may_see_code
from accounts.models import User
from core.errors import DomainError, NotFound, PermissionRefused
from workflow.actors import actor_roles, in_unit
from workflow.handlers import Step, handler_for
from workflow.models import WorkItem
from workflow.process_definition import ActionDef
from workflow.publishing import definition_for


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
