"""Every write to people, organisation units and assignments. Each function is one transaction, checks the
actor's right, and writes its audit row (before/after) with `audit.actions.record_event`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.adminroles import check_admin_role_change, sync_staff_flag
from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Assignment, OrgUnit, Role, User, validate_territory_code
from audit.actions import record_event
from core.adminroles import ADMIN_GROUPS, AdminRole, has_admin_role
from core.errors import Conflict, DomainError, NotFound, PermissionRefused

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

ORG_UNIT_FIELDS = (
    "name",
    "kind",
    "territory_code",
    "parent",
    "management_mode",
    "guiding_department",
    "service_level",
    "work_hours",
)
USER_FIELDS = (
    "username",
    "display_name",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
    "is_demo",
)
ASSIGNMENT_FIELDS = ("territory_code", "reports_to")


# --- snapshots written to the audit trail (never a password) -------------------------------------


def org_unit_snapshot(unit: OrgUnit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "territory_code": unit.territory_code,
        "parent": unit.parent.code if unit.parent_id and unit.parent else None,
        "management_mode": unit.management_mode,
        "guiding_department": unit.guiding_department,
        "service_level": unit.service_level,
        "work_hours": unit.work_hours,
    }


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_system": user.is_system,
        "is_demo": user.is_demo,
        "usable_password": user.has_usable_password(),
    }


def assignment_snapshot(assignment: Assignment) -> dict[str, Any]:
    return {
        "user": assignment.user.username,
        "org_unit": assignment.org_unit.code,
        "role": assignment.role,
        "territory_code": assignment.territory_code,
        "reports_to": assignment.reports_to.username if assignment.reports_to else None,
        "active": assignment.active,
        "started_at": assignment.started_at,
        "ended_at": assignment.ended_at,
    }


# --- checks ----------------------------------------------------------------------------------------


def check_territory_code(code: str, field: str = "territory_code") -> None:
    try:
        validate_territory_code(code)
    except ValidationError as exc:
        raise DomainError(
            "invalid_territory_code", _("区划/网格代码须为 6、9、12 或 15 位数字。"), field
        ) from exc


def check_role(role: str) -> None:
    if role not in Role.values:
        raise DomainError("invalid_role", _("未知角色：%(role)s") % {"role": role}, "role")


def check_work_hours(value: Any) -> None:
    message = _('工作时间格式应为 [["08:30","12:00"], ...]。')
    if not isinstance(value, list) or not value:
        raise DomainError("invalid_work_hours", message, "work_hours")
    for span in value:
        ok = (
            isinstance(span, list | tuple)
            and len(span) == 2
            and all(isinstance(t, str) and _HHMM.match(t) for t in span)
            and span[0] < span[1]
        )
        if not ok:
            raise DomainError("invalid_work_hours", message, "work_hours")


def _require_steward(actor: User, territory_code: str, admin_role: str = AdminRole.SYSTEM) -> None:
    """Organisation and people are managed by the system, the system administrator (assignments: the
    security administrator), or a data steward whose jurisdiction covers the territory concerned."""
    if actor.is_system or has_admin_role(actor, admin_role):
        return
    if Role.DATA_STEWARD in user_roles(actor) and may_see_code(actor, territory_code):
        return
    raise PermissionRefused("not_allowed", _("无权管理该区划内的机构与人员。"))


def _require_superuser_for_privileges(actor: User, changes: Mapping[str, Any]) -> None:
    if ("is_superuser" in changes or "is_staff" in changes) and not (actor.is_superuser or actor.is_system):
        raise PermissionRefused("not_allowed", _("只有超级管理员可以授予管理权限。"), "is_superuser")


def _choice(value: str, choices: Iterable[str], code: str, field: str) -> None:
    if value not in choices:
        raise DomainError(code, _("无效的取值：%(value)s") % {"value": value}, field)


# --- organisation units ----------------------------------------------------------------------------


def _check_org_unit(unit: OrgUnit) -> None:
    if not unit.code.strip():
        raise DomainError("required", _("机构编码不能为空。"), "code")
    if not unit.name.strip():
        raise DomainError("required", _("名称不能为空。"), "name")
    _choice(unit.kind, OrgUnit.Kind.values, "invalid_kind", "kind")
    _choice(unit.management_mode, OrgUnit.ManagementMode.values, "invalid_management_mode", "management_mode")
    if unit.service_level:
        _choice(unit.service_level, OrgUnit.ServiceLevel.values, "invalid_service_level", "service_level")
    check_territory_code(unit.territory_code)
    check_work_hours(unit.work_hours)
    parent = unit.parent
    if parent is not None:
        if unit.pk is not None and parent.pk == unit.pk:
            raise DomainError("parent_is_self", _("上级机构不能是本机构。"), "parent")
        if not unit.territory_code.startswith(parent.territory_code):
            raise DomainError("outside_parent", _("机构所属区划须在上级机构的区划之内。"), "territory_code")
        ancestor: OrgUnit | None = parent
        while ancestor is not None and unit.pk is not None:
            if ancestor.pk == unit.pk:
                raise DomainError("parent_cycle", _("上级机构不能是本机构的下级。"), "parent")
            ancestor = ancestor.parent


def do_create_org_unit(
    *,
    code: str,
    name: str,
    kind: str,
    territory_code: str,
    parent: OrgUnit | None = None,
    management_mode: str = OrgUnit.ManagementMode.TERRITORIAL,
    guiding_department: str = "",
    service_level: str = "",
    work_hours: list[list[str]] | None = None,
    actor: User,
    now: datetime,
) -> OrgUnit:
    unit = OrgUnit(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        territory_code=territory_code,
        parent=parent,
        management_mode=management_mode,
        guiding_department=guiding_department,
        service_level=service_level,
    )
    if work_hours is not None:
        unit.work_hours = work_hours
    _check_org_unit(unit)
    with transaction.atomic():
        _require_steward(actor, territory_code)
        if OrgUnit.objects.filter(code=unit.code).exists():
            raise Conflict("org_unit_exists", _("机构编码已存在：%(code)s") % {"code": unit.code}, "code")
        unit.save()
        record_event(
            actor=actor,
            action="accounts.org_unit.created",
            subject=unit,
            territory_code=unit.territory_code,
            after=org_unit_snapshot(unit),
            now=now,
        )
    return unit


def do_update_org_unit(unit: OrgUnit, *, changes: Mapping[str, Any], actor: User, now: datetime) -> OrgUnit:
    unknown = set(changes) - set(ORG_UNIT_FIELDS)
    if unknown:
        raise DomainError("unknown_field", _("不可修改的字段。"), sorted(unknown)[0])
    with transaction.atomic():
        locked = OrgUnit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit.pk)
        _require_steward(actor, locked.territory_code)
        before = org_unit_snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_org_unit(locked)
        _require_steward(actor, locked.territory_code)
        after = org_unit_snapshot(locked)
        if after == before:
            return locked
        locked.save()
        record_event(
            actor=actor,
            action="accounts.org_unit.updated",
            subject=locked,
            territory_code=locked.territory_code,
            before=before,
            after=after,
            now=now,
        )
    return locked


def do_delete_org_unit(unit: OrgUnit, *, actor: User, now: datetime) -> None:
    """Only an empty unit can go: one with people (even past assignments) or sub-units is kept."""
    with transaction.atomic():
        locked = OrgUnit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit.pk)
        _require_steward(actor, locked.territory_code)
        if locked.assignments.exists() or locked.children.exists():
            raise Conflict("org_unit_in_use", _("该机构仍有任职人员或下级机构，不能删除。"))
        before = org_unit_snapshot(locked)
        pk = locked.pk
        locked.delete()
        record_event(
            actor=actor,
            action="accounts.org_unit.deleted",
            subject_type="accounts.orgunit",
            subject_id=str(pk),
            territory_code=before["territory_code"],
            before=before,
            now=now,
        )


@dataclass(frozen=True)
class OrgUnitSpec:
    """One unit of a bulk load; `parent` is the code of a unit created earlier or already present."""

    code: str
    name: str
    kind: str
    territory_code: str
    parent: str | None = None
    management_mode: str = OrgUnit.ManagementMode.TERRITORIAL
    guiding_department: str = ""
    service_level: str = ""


def do_bulk_create_org_units(
    specs: Sequence[OrgUnitSpec], *, actor: User, now: datetime, batch: str = ""
) -> list[OrgUnit]:
    """Create the units of `specs` that do not exist yet (by code), parents before children, and write one
    summary audit event listing them. Existing units are left as they are; nothing new → no audit row."""
    with transaction.atomic():
        existing = set(
            OrgUnit.objects.filter(code__in=[s.code for s in specs]).values_list("code", flat=True)
        )
        todo = [s for s in specs if s.code not in existing]
        if not todo:
            return []
        for spec in todo:
            _require_steward(actor, spec.territory_code)
        parent_codes = {s.parent for s in todo if s.parent}
        by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=parent_codes)}
        created: list[OrgUnit] = []
        # Create level by level so each parent has its id before its children are inserted.
        pending = list(todo)
        while pending:
            ready = [s for s in pending if not s.parent or s.parent in by_code]
            if not ready:
                raise DomainError("unknown_parent", _("上级机构不存在。"), "parent")
            units = []
            for spec in ready:
                unit = OrgUnit(
                    code=spec.code,
                    name=spec.name,
                    kind=spec.kind,
                    territory_code=spec.territory_code,
                    parent=by_code[spec.parent] if spec.parent else None,
                    management_mode=spec.management_mode,
                    guiding_department=spec.guiding_department,
                    service_level=spec.service_level,
                )
                _check_org_unit(unit)
                units.append(unit)
            OrgUnit.objects.bulk_create(units)
            # bulk_create sets pks on PostgreSQL and SQLite; fetch to be backend-neutral.
            for unit in OrgUnit.objects.filter(code__in=[u.code for u in units]):
                by_code[unit.code] = unit
                created.append(unit)
            done = {s.code for s in ready}
            pending = [s for s in pending if s.code not in done]
        record_event(
            actor=actor,
            action="accounts.org_unit.bulk_created",
            subject_type="accounts.orgunit",
            subject_id=batch,
            territory_code=_common_prefix([u.territory_code for u in created]),
            after={"count": len(created), "codes": sorted(u.code for u in created)},
            now=now,
        )
    return created


def _common_prefix(codes: Sequence[str]) -> str:
    """The longest territory code (6/9/12/15 digits) shared by every code."""
    if not codes:
        return ""
    shortest = min(codes, key=len)
    for length in (15, 12, 9, 6):
        if len(shortest) >= length and all(c.startswith(shortest[:length]) for c in codes):
            return shortest[:length]
    return ""


# --- users -----------------------------------------------------------------------------------------


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


# --- assignments -----------------------------------------------------------------------------------


def _check_assignment(
    user: User, org_unit: OrgUnit, role: str, territory_code: str, reports_to: User | None
) -> None:
    check_role(role)
    check_territory_code(territory_code)
    if not territory_code.startswith(org_unit.territory_code):
        raise DomainError("outside_org_unit", _("负责区划须在所属机构的区划之内。"), "territory_code")
    if reports_to is not None and reports_to.pk == user.pk:
        raise DomainError("reports_to_self", _("汇报对象不能是本人。"), "reports_to")
    if user.is_system and role != Role.SYSTEM:
        raise DomainError("invalid_role", _("系统账号只能担任系统角色。"), "role")


def do_assign_role(
    *,
    user: User,
    org_unit: OrgUnit,
    role: str,
    territory_code: str | None = None,
    reports_to: User | None = None,
    actor: User,
    now: datetime,
) -> Assignment:
    """Give `user` a role in `org_unit`, over the unit's territory or a part of it (a grid worker's grid).
    Re-assigning an ended assignment starts it again."""
    code = territory_code or org_unit.territory_code
    _check_assignment(user, org_unit, role, code, reports_to)
    if actor.pk == user.pk and not actor.is_system:
        raise PermissionRefused("not_allowed", _("不能为自己分配角色。"), "user")
    with transaction.atomic():
        _require_steward(actor, code, AdminRole.SECURITY)
        existing = (
            Assignment.objects.select_for_update(of=("self",))
            .filter(user=user, org_unit=org_unit, role=role, territory_code=code)
            .first()
        )
        if existing is not None and existing.active:
            raise Conflict("assignment_exists", _("该任职已存在。"), "role")
        before = assignment_snapshot(existing) if existing is not None else None
        assignment = existing or Assignment(user=user, org_unit=org_unit, role=role, territory_code=code)
        assignment.reports_to = reports_to
        assignment.active = True
        assignment.started_at = now
        assignment.ended_at = None
        assignment.save()
        record_event(
            actor=actor,
            action="accounts.assignment.started",
            subject=assignment,
            territory_code=code,
            before=before,
            after=assignment_snapshot(assignment),
            now=now,
        )
    return assignment


def do_update_assignment(
    assignment: Assignment, *, changes: Mapping[str, Any], actor: User, now: datetime
) -> Assignment:
    unknown = set(changes) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise DomainError("unknown_field", _("不可修改的字段。"), sorted(unknown)[0])
    with transaction.atomic():
        locked = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("user", "org_unit", "reports_to")
            .get(pk=assignment.pk)
        )
        _require_steward(actor, locked.territory_code, AdminRole.SECURITY)
        before = assignment_snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_assignment(locked.user, locked.org_unit, locked.role, locked.territory_code, locked.reports_to)
        _require_steward(actor, locked.territory_code, AdminRole.SECURITY)
        after = assignment_snapshot(locked)
        if after == before:
            return locked
        locked.save()
        record_event(
            actor=actor,
            action="accounts.assignment.updated",
            subject=locked,
            territory_code=locked.territory_code,
            before=before,
            after=after,
            now=now,
        )
    return locked


def do_end_assignment(assignment: Assignment, *, actor: User, now: datetime) -> Assignment:
    """End an assignment (the row stays, so past work still shows who held the role)."""
    with transaction.atomic():
        locked = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("user", "org_unit", "reports_to")
            .get(pk=assignment.pk)
        )
        _require_steward(actor, locked.territory_code, AdminRole.SECURITY)
        if not locked.active:
            raise Conflict("assignment_ended", _("该任职已结束。"))
        before = assignment_snapshot(locked)
        locked.active = False
        locked.ended_at = now
        locked.save(update_fields=["active", "ended_at"])
        record_event(
            actor=actor,
            action="accounts.assignment.ended",
            subject=locked,
            territory_code=locked.territory_code,
            before=before,
            after=assignment_snapshot(locked),
            now=now,
        )
    return locked


@dataclass(frozen=True)
class StaffSpec:
    """One person of a bulk load: a user who does not log in, with one assignment."""

    username: str
    display_name: str
    org_unit: str  # org unit code
    role: str
    territory_code: str = ""
    is_demo: bool = False
    reports_to: str | None = None  # username


def do_bulk_create_staff(
    specs: Sequence[StaffSpec], *, actor: User, now: datetime, batch: str = ""
) -> list[User]:
    """Create the people of `specs` that do not exist yet (by username) with unusable passwords and their
    assignments, and write one summary audit event. Nothing new → no audit row."""
    with transaction.atomic():
        existing = set(
            User.objects.filter(username__in=[s.username for s in specs]).values_list("username", flat=True)
        )
        todo = [s for s in specs if s.username not in existing]
        if not todo:
            return []
        units = {u.code: u for u in OrgUnit.objects.filter(code__in={s.org_unit for s in todo})}
        missing = {s.org_unit for s in todo} - set(units)
        if missing:
            raise NotFound(_("机构不存在：%(code)s") % {"code": sorted(missing)[0]}, "org_unit")
        for spec in todo:
            _check_username(spec.username)
            unit = units[spec.org_unit]
            code = spec.territory_code or unit.territory_code
            check_role(spec.role)
            check_territory_code(code)
            if not code.startswith(unit.territory_code):
                raise DomainError("outside_org_unit", _("负责区划须在所属机构的区划之内。"), "territory_code")
            # People (the system administrator's) with roles (the security administrator's): neither alone.
            _require_steward(actor, code)
            _require_steward(actor, code, AdminRole.SECURITY)
        users = []
        for spec in todo:
            user = User(
                username=spec.username, display_name=spec.display_name, is_demo=spec.is_demo, date_joined=now
            )
            user.set_unusable_password()
            users.append(user)
        User.objects.bulk_create(users)
        by_name = {
            u.username: u
            for u in User.objects.filter(
                username__in=[s.username for s in todo] + [s.reports_to for s in todo if s.reports_to]
            )
        }
        Assignment.objects.bulk_create(
            Assignment(
                user=by_name[s.username],
                org_unit=units[s.org_unit],
                role=s.role,
                territory_code=s.territory_code or units[s.org_unit].territory_code,
                reports_to=by_name.get(s.reports_to) if s.reports_to else None,
                started_at=now,
            )
            for s in todo
        )
        codes = [s.territory_code or units[s.org_unit].territory_code for s in todo]
        record_event(
            actor=actor,
            action="accounts.user.bulk_created",
            subject_type="accounts.user",
            subject_id=batch,
            territory_code=_common_prefix(codes),
            after={
                "count": len(todo),
                "people": [[s.username, s.org_unit, s.role, c] for s, c in zip(todo, codes, strict=True)],
            },
            now=now,
        )
    return [by_name[s.username] for s in todo]


# --- log-in and API tokens -------------------------------------------------------------------------


def do_issue_api_token(user: User, *, actor: User, now: datetime) -> Token:
    """The user's API token (created on first request, the same one afterwards)."""
    with transaction.atomic():
        if actor.pk != user.pk and not has_admin_role(actor, AdminRole.SECURITY):
            raise PermissionRefused("not_allowed", _("只能为本人签发令牌。"))
        token, created = Token.objects.get_or_create(user=user)
        record_event(
            actor=actor,
            action="accounts.api_token.issued",
            subject=user,
            after={"new": created},
            now=now,
        )
    return token


def do_record_login(user: User, *, now: datetime) -> None:
    with transaction.atomic():
        record_event(actor=user, action="accounts.login", subject=user, now=now)


def do_record_login_failure(username: str, *, now: datetime) -> None:
    """A failed log-in: the username tried (the password is never recorded)."""
    with transaction.atomic():
        record_event(
            actor=None,
            action="accounts.login_failed",
            subject_type="accounts.user",
            subject_id=username[:80],
            after={"username": username[:150]},
            now=now,
        )
