"""Who acts: the system actor used by the sweeper and publishing, and the roles an actor holds."""

from __future__ import annotations

from accounts.jurisdiction import user_roles
from accounts.models import Assignment, User
from workflow.definitions import SYSTEM_ROLE

SYSTEM_USERNAME = "system"


def system_actor() -> User:
    """The `system` user (is_system, cannot log in); created when missing."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User.objects.create_user(
            username=SYSTEM_USERNAME, password=None, is_system=True, display_name="系统"
        )
    return user


def actor_roles(actor: User) -> set[str]:
    roles = user_roles(actor)
    if actor.is_system:
        roles.add(SYSTEM_ROLE)
    return roles


def in_unit(actor: User, unit_id: int | None) -> bool:
    if unit_id is None:
        return False
    return Assignment.objects.filter(user=actor, org_unit_id=unit_id, active=True).exists()
