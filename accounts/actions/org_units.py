"""Organisation units: create, update, delete, and many at once (an import or the demo)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actions.common import (
    ORG_UNIT_FIELDS,
    _choice,
    _require_steward,
    check_territory_code,
    check_work_hours,
    org_unit_snapshot,
)
from accounts.models import OrgUnit, User
from audit.actions import record_event
from core.errors import Conflict, DomainError


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
