"""Granting and revoking the three administrator roles (三员分立, core.adminroles). Only a security
administrator (or the system) changes them, never for themselves, and nobody holds two. A refusal is
audited in its own transaction, so it stays on record although the change is rolled back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from core.adminroles import ADMIN_GROUPS, AdminRole, admin_roles_of, has_admin_role
from core.errors import DomainError

# Which model permissions each group carries (Django's admin checks them for every other app's admin).
# The security administrator's models; everything else that is not audit is the system administrator's.
SECURITY_MODELS = {
    "accounts.assignment",
    "auth.group",
    "authtoken.token",
    "authtoken.tokenproxy",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "otp_totp.totpdevice",
}
AUDIT_MODELS = {"audit.auditevent", "audit.auditblock", "admin.logentry"}


class AdminRoleRefused(DomainError):
    """Refused change of an administrator role; `record_refusal` puts it on the audit trail."""

    def __init__(self, reason: str, message: str, *, status: int, actor: Any, user: User, wanted: list[str]):
        # Every 403 says not_allowed (tests/test_refusal_codes.py); the audit row keeps the reason.
        super().__init__("not_allowed" if status == 403 else reason, message, "groups", status)
        self.reason, self.actor, self.user, self.wanted = reason, actor, user, wanted


def record_refusal(exc: AdminRoleRefused, *, now: datetime) -> None:
    with transaction.atomic():
        record_event(
            actor=exc.actor,
            action="accounts.admin_role_refused",
            subject=exc.user,
            after={"code": exc.code, "reason": exc.reason, "wanted": exc.wanted},
            now=now,
        )


def check_admin_role_change(user: User, wanted: Iterable[str], *, actor: Any, now: datetime) -> bool:
    """Raise AdminRoleRefused (after auditing it) unless `actor` may give `user` exactly the administrator
    roles `wanted`. Returns whether they change at all."""
    target = sorted(set(wanted) & ADMIN_GROUPS)
    current = sorted(set(user.groups.filter(name__in=ADMIN_GROUPS).values_list("name", flat=True)))
    if target == current:
        return False
    exc = None
    if not (getattr(actor, "is_system", False) or has_admin_role(actor, AdminRole.SECURITY)):
        exc = AdminRoleRefused(
            "not_allowed",
            _("只有安全管理员可以授予或撤销管理员角色。"),
            status=403,
            actor=actor,
            user=user,
            wanted=target,
        )
    elif actor.pk == user.pk:
        exc = AdminRoleRefused(
            "self_grant",
            _("管理员不能为自己授予或撤销角色。"),
            status=403,
            actor=actor,
            user=user,
            wanted=target,
        )
    elif len(target) > 1:
        exc = AdminRoleRefused(
            "admin_roles_exclusive",
            _("系统管理员、安全管理员、审计管理员三者互斥，一人只能担任其一。"),
            status=400,
            actor=actor,
            user=user,
            wanted=target,
        )
    if exc is not None:
        record_refusal(exc, now=now)
        raise exc
    return True


def do_grant_admin_role(user: User, role: str, *, actor: Any, now: datetime) -> User:
    if role not in ADMIN_GROUPS:
        raise DomainError("invalid_role", _("未知管理员角色：%(role)s") % {"role": role}, "role")
    _set_admin_roles(user, admin_roles_of(user) | {role}, actor=actor, now=now)
    return user


def do_revoke_admin_role(user: User, role: str, *, actor: Any, now: datetime) -> User:
    if role not in ADMIN_GROUPS:
        raise DomainError("invalid_role", _("未知管理员角色：%(role)s") % {"role": role}, "role")
    _set_admin_roles(user, admin_roles_of(user) - {role}, actor=actor, now=now)
    return user


def _set_admin_roles(user: User, target: set[str], *, actor: Any, now: datetime) -> None:
    if not check_admin_role_change(user, target, actor=actor, now=now):
        return
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = sorted(locked.groups.filter(name__in=ADMIN_GROUPS).values_list("name", flat=True))
        keep = list(locked.groups.exclude(name__in=ADMIN_GROUPS))
        locked.groups.set(keep + list(Group.objects.filter(name__in=target)))
        staff_before = locked.is_staff
        sync_staff_flag(locked, target)
        record_event(
            actor=actor,
            action="accounts.admin_role_changed",
            subject=locked,
            before={"admin_roles": before, "is_staff": staff_before},
            after={"admin_roles": sorted(target), "is_staff": locked.is_staff},
            now=now,
        )
    user.refresh_from_db()


def sync_staff_flag(user: User, admin_roles: set[str]) -> None:
    """An administrator needs is_staff to enter the admin. Revoking leaves the flag (the business auditor
    needs it too); without a group or permission the admin then shows nothing."""
    if admin_roles and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def sync_group_permissions(**kwargs: Any) -> None:
    """post_migrate: give each administrator group its model permissions (they exist only after every
    app's post_migrate ran, so this acts on the last app's signal)."""
    configs = list(apps.get_app_configs())
    if kwargs.get("sender") is not configs[-1]:
        return
    groups = {r.value: Group.objects.get_or_create(name=r.value)[0] for r in AdminRole}
    system, security, audit = [], [], []
    for perm in Permission.objects.select_related("content_type"):
        model = f"{perm.content_type.app_label}.{perm.content_type.model}"
        if perm.codename.startswith("view_"):
            audit.append(perm)
        if model in SECURITY_MODELS:
            security.append(perm)
        elif model not in AUDIT_MODELS and not model.startswith("auth."):
            system.append(perm)
    groups[AdminRole.SYSTEM].permissions.set(system)
    groups[AdminRole.SECURITY].permissions.set(security)
    groups[AdminRole.AUDIT].permissions.set(audit)
