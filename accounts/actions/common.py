"""What the account writes share: the audited fields, the snapshots written to the audit trail (never a
password), the checks of codes, roles and working hours, and the steward's right."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Assignment, OrgUnit, Role, User, validate_territory_code
from core.adminroles import AdminRole, has_admin_role
from core.errors import DomainError, PermissionRefused

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
