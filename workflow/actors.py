"""Who acts: the system actor used by the sweeper and publishing, and the roles an actor holds."""

from __future__ import annotations

from accounts.jurisdiction import user_roles
from accounts.models import Assignment, User
from workflow.process_definition import SYSTEM_ROLE

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
    if actor.is_system:
        # The system actor (sweeper, publishing) acts on many items in one pass: its roles are read once
        # per instance (a fresh instance per pass, `system_actor()`).
        cached: set[str] | None = getattr(actor, "_system_roles", None)
        if cached is None:
            cached = user_roles(actor) | {SYSTEM_ROLE}
            actor._system_roles = cached  # type: ignore[attr-defined]
        return set(cached)
    return user_roles(actor)


def in_unit(actor: User, unit_id: int | None) -> bool:
    if unit_id is None:
        return False
    return Assignment.objects.filter(user=actor, org_unit_id=unit_id, active=True).exists()
