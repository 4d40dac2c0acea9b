"""Users: create, update, set a password, set permissions and administrator roles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actions.common import USER_FIELDS, _require_superuser_for_privileges, user_snapshot
from accounts.adminroles import check_admin_role_change, sync_staff_flag
from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core.adminroles import ADMIN_GROUPS, AdminRole, has_admin_role
from core.errors import Conflict, DomainError, PermissionRefused


def _check_username(username: str) -> None:
    if not username:
        raise DomainError("required", _("用户名不能为空。"), "username")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise DomainError(
            "invalid_username", _("用户名只能包含字母、数字和 @/./+/-/_。"), "username"
        ) from exc


def do_create_user(
    *,
    username: str,
    display_name: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    is_demo: bool = False,
    is_system: bool = False,
    actor: User | None,
    now: datetime,
) -> User:
    """Create a person. `password=None` leaves an unusable password (people who never log in, the system
    actor); `password_hash` (from make_password) lets a bulk load hash a shared password once.
    `actor=None` only for the very first system user, which then is its own creator."""
    _check_username(username)
    with transaction.atomic():
        if actor is None:
            if not is_system:
                raise PermissionRefused("not_allowed", _("只有系统账号可以无操作人创建。"))
        else:
            if not (
                actor.is_system
                or has_admin_role(actor, AdminRole.SYSTEM)
                or Role.DATA_STEWARD in user_roles(actor)
            ):
                raise PermissionRefused("not_allowed", _("无权创建用户。"))
            if is_staff or is_superuser:
                _require_superuser_for_privileges(actor, {"is_staff": is_staff, "is_superuser": is_superuser})
        if User.objects.filter(username=username).exists():
            raise Conflict("username_taken", _("用户名已存在：%(u)s") % {"u": username}, "username")
        user = User(
            username=username,
            display_name=display_name,
            email=email,
            is_staff=is_staff,
            is_superuser=is_superuser,
            is_demo=is_demo,
            is_system=is_system,
            date_joined=now,
        )
        if password_hash is not None:
            user.password = password_hash
        elif password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        record_event(
            actor=actor or user,
            action="accounts.user.created",
            subject=user,
            after=user_snapshot(user),
            now=now,
        )
    return user


def do_update_user(user: User, *, changes: Mapping[str, Any], actor: User, now: datetime) -> User:
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise DomainError("unknown_field", _("不可修改的字段。"), sorted(unknown)[0])
    if "username" in changes:
        _check_username(changes["username"])
    with transaction.atomic():
        locked = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        if not (
            actor.is_system
            or has_admin_role(actor, AdminRole.SYSTEM)
            or Role.DATA_STEWARD in user_roles(actor)
        ):
            raise PermissionRefused("not_allowed", _("无权修改用户。"))
        if locked.is_system:
            raise PermissionRefused("not_allowed", _("系统账号不可修改。"))
        _require_superuser_for_privileges(actor, changes)
        if (
            "username" in changes
            and User.objects.filter(username=changes["username"]).exclude(pk=locked.pk).exists()
        ):
            raise Conflict(
                "username_taken", _("用户名已存在：%(u)s") % {"u": changes["username"]}, "username"
            )
        before = user_snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        after = user_snapshot(locked)
        if after == before:
            return locked
        locked.save()
        record_event(
            actor=actor, action="accounts.user.updated", subject=locked, before=before, after=after, now=now
        )
    return locked


def do_set_password(user: User, *, password: str | None, actor: User, now: datetime) -> User:
    """Set (or, with None, disable) a password. The audit row records that it changed, never the value."""
    with transaction.atomic():
        locked = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        if actor.pk != locked.pk and not (
            has_admin_role(actor, AdminRole.SYSTEM) or Role.DATA_STEWARD in user_roles(actor)
        ):
            raise PermissionRefused("not_allowed", _("无权修改该用户的密码。"))
        if locked.is_system:
            raise PermissionRefused("not_allowed", _("系统账号不可登录。"))
        before = {"usable_password": locked.has_usable_password()}
        if password is None:
            locked.set_unusable_password()
        else:
            locked.set_password(password)
        locked.save(update_fields=["password"])
        record_event(
            actor=actor,
            action="accounts.user.password_changed",
            subject=locked,
            before=before,
            after={"usable_password": locked.has_usable_password()},
            now=now,
        )
    return locked


def do_set_user_permissions(
    user: User,
    *,
    groups: Iterable[Group],
    permissions: Iterable[Permission],
    actor: User,
    now: datetime,
) -> User:
    with transaction.atomic():
        before = {
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "permissions": sorted(
                f"{a}.{c}"
                for a, c in user.user_permissions.values_list("content_type__app_label", "codename")
            ),
        }
        groups, permissions = list(groups), list(permissions)
        # Checked (and a refusal audited) before anything changes: see accounts.adminroles.
        check_admin_role_change(user, [g.name for g in groups], actor=actor, now=now)
        after = {
            "groups": sorted(g.name for g in groups),
            "permissions": sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions),
        }
        if before == after:
            return user
        if not (actor.is_system or has_admin_role(actor, AdminRole.SECURITY)):
            raise PermissionRefused("not_allowed", _("只有安全管理员可以分配权限。"), "groups")
        user.groups.set(groups)
        sync_staff_flag(user, {g.name for g in groups} & ADMIN_GROUPS)
        user.user_permissions.set(permissions)
        record_event(
            actor=actor,
            action="accounts.user.permissions_changed",
            subject=user,
            before=before,
            after=after,
            now=now,
        )
    return user
