"""Assignments (a user's role in a unit and a territory): assign, update, end, and staff in bulk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actions.common import (
    ASSIGNMENT_FIELDS,
    _require_steward,
    assignment_snapshot,
    check_role,
    check_territory_code,
)
from accounts.actions.org_units import _common_prefix
from accounts.actions.users import _check_username
from accounts.models import Assignment, OrgUnit, Role, User
from audit.actions import record_event
from core.adminroles import AdminRole
from core.errors import Conflict, DomainError, NotFound, PermissionRefused


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
