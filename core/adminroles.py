"""The three administrators of MLPS level 3 (三员分立): system (accounts, organisation, reference data,
configuration), security (role assignments, lockouts, second-factor devices, keys) and audit (reads the
trail and the admin's history, verifies, exports heads; changes nothing). Each is a Django group of this
name (created by accounts migration 0003_admin_roles); one person holds at most one of them. The names
live here, at the bottom of the import arrow, so that audit's commands can check them too."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminRole(models.TextChoices):
    SYSTEM = "系统管理员", _("系统管理员")
    SECURITY = "安全管理员", _("安全管理员")
    AUDIT = "审计管理员", _("审计管理员")


ADMIN_GROUPS = frozenset(r.value for r in AdminRole)
_ENGLISH = {
    AdminRole.SYSTEM: "system administrator",
    AdminRole.SECURITY: "security administrator",
    AdminRole.AUDIT: "audit administrator",
}


def admin_roles_of(user: Any) -> set[str]:
    """The administrator roles an active user holds (a deactivated person holds none)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.pk:
        return set()
    return set(user.groups.filter(name__in=ADMIN_GROUPS).values_list("name", flat=True))


def has_admin_role(user: Any, role: str) -> bool:
    """Holds `role`, or is a superuser (the documented break-glass account: see docs/security.md)."""
    if getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser:
        return True
    return role in admin_roles_of(user)


def command_actor(username: str | None, role: str) -> Any:
    """The administrator a management command runs as (`--actor`). Required in production; in demo and
    test mode a command without one runs as the host operator (None)."""
    label = f"{role} ({_ENGLISH[AdminRole(role)]})"
    if not username:
        if getattr(settings, "DEMO_MODE", True):
            return None
        raise CommandError(f"name the {label} running this command with --actor USERNAME")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not has_admin_role(user, role):
        raise CommandError(f"{username} is not an active {label}; this command belongs to the {label}")
    return user
