"""Writes of the key-project register: saving a project (its shape checked by `full_clean`) and recording
its milestones and linked items after they change, each with an audit row in the same transaction. The
admin and the demo seed both write through here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Role, User
from accounts.selectors import org_units_visible_to
from audit.actions import record_event
from command.projects.models import KeyProject, Milestone
from core.errors import DomainError, PermissionRefused

FIELDS = ("name", "territory_code", "lon", "lat", "progress", "description", "outline")
MAX_MILESTONES = 50


def _fields(project: KeyProject) -> dict[str, Any]:
    return {"owner_unit": project.owner_unit.code, **{name: getattr(project, name) for name in FIELDS}}


def do_save_project(project: KeyProject, *, actor: Any, now: datetime) -> KeyProject:
    """Create or update; bad input raises ValidationError (by field) before anything is written."""
    project.full_clean()
    with transaction.atomic():
        stored = KeyProject.objects.select_for_update().filter(pk=project.pk).first() if project.pk else None
        before = _fields(stored) if stored is not None else None
        project.save()
        record_event(
            actor=actor,
            action="command.project_saved",
            subject=project,
            territory_code=project.territory_code,
            before=before,
            after=_fields(project),
            now=now,
        )
    return project


def do_record_project_links(project: KeyProject, *, actor: Any, now: datetime) -> None:
    """Audit the milestones and linked items as they now stand (after an inline or M2M edit)."""
    with transaction.atomic():
        record_event(
            actor=actor,
            action="command.project_links_saved",
            subject=project,
            territory_code=project.territory_code,
            after={
                "milestones": [
                    [m.name, m.planned_on.isoformat(), m.actual_on.isoformat() if m.actual_on else None]
                    for m in project.milestones.order_by("planned_on", "id")
                ],
                "work_items": sorted(project.work_items.values_list("pk", flat=True)),
            },
            now=now,
        )


# ------------------------------------------------------------------------------ writes through the API

WRITERS = {Role.LEADER, Role.DISPATCHER}
REQUIRED = ("name", "owner_unit", "territory_code")
WRITABLE = (*FIELDS, "owner_unit")


def require_project_writer(user: User) -> None:
    if not user_roles(user) & {str(r) for r in WRITERS}:
        raise PermissionRefused("not_allowed", "仅领导和指挥中心调度员可维护重点项目。")


def _invalid(error: ValidationError, prefix: str = "") -> DomainError:
    """The first message of a model's ValidationError, beside its field."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        first = errors[0]
        message = " ".join(str(m) for m in first.messages)
        return DomainError(first.code or "invalid", message, field=f"{prefix}{field}")
    return DomainError(error.code or "invalid", " ".join(error.messages), field=prefix.rstrip(".") or None)


def do_write_project(
    data: dict[str, Any], *, actor: User, now: datetime, project: KeyProject | None = None
) -> KeyProject:
    """Create (`project` None: name, owner unit and territory required) or update the given fields of a
    project inside the actor's jurisdiction; bad input is refused by field and nothing is written."""
    require_project_writer(actor)
    unknown = sorted(set(data) - set(WRITABLE))
    if unknown:
        raise DomainError("unknown_field", f"不可修改的字段：{'、'.join(unknown)}。", field=unknown[0])
    if project is None:
        for name in REQUIRED:
            if data.get(name) in (None, ""):
                raise DomainError("required", "请填写项目名称、责任单位和所在区划。", field=name)
        project = KeyProject()
    for name in FIELDS:
        if name in data:
            value = data[name]
            setattr(project, name, "" if value is None and name == "description" else value)
    if "territory_code" in data:
        code = data["territory_code"]
        if not isinstance(code, str) or not may_see_code(actor, code):
            raise PermissionRefused("not_allowed", "所在区划不在本人辖区内。", field="territory_code")
    if "owner_unit" in data:
        unit = org_units_visible_to(actor).filter(code=str(data["owner_unit"] or "")).first()
        if unit is None:
            raise DomainError("unknown_unit", "责任单位不存在或不在本人辖区内。", field="owner_unit")
        project.owner_unit = unit
    try:
        return do_save_project(project, actor=actor, now=now)
    except ValidationError as error:
        raise _invalid(error) from None


def _day(value: Any, field: str, *, required: bool) -> date | None:
    if value in (None, "") and not required:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError("invalid_date", "日期应为 YYYY-MM-DD。", field=field) from None


def do_set_milestones(project: KeyProject, rows: Any, *, actor: User, now: datetime) -> list[Milestone]:
    """Replace the project's milestones with `rows` ([{name, planned_on, actual_on?}], at most 50); each
    row is checked before any is written."""
    require_project_writer(actor)
    if not isinstance(rows, list) or len(rows) > MAX_MILESTONES:
        raise DomainError("invalid", f"里程碑应为列表（最多{MAX_MILESTONES}个）。", field="milestones")
    built = []
    for i, row in enumerate(rows):
        at = f"milestones[{i}]"
        if not isinstance(row, dict) or set(row) - {"name", "planned_on", "actual_on"}:
            raise DomainError("invalid", "里程碑应含 name、planned_on、actual_on。", field=at)
        name = str(row.get("name") or "").strip()
        if not name or len(name) > 200:
            raise DomainError("required", "请填写节点名称（不超过200字）。", field=f"{at}.name")
        planned = _day(row.get("planned_on"), f"{at}.planned_on", required=True)
        assert planned is not None
        actual = _day(row.get("actual_on"), f"{at}.actual_on", required=False)
        if actual is not None and actual > timezone.localdate(now):
            raise DomainError("in_future", "实际完成日期不能晚于今天。", field=f"{at}.actual_on")
        built.append(Milestone(project=project, name=name, planned_on=planned, actual_on=actual))
    with transaction.atomic():
        KeyProject.objects.select_for_update().filter(pk=project.pk).first()
        project.milestones.all().delete()
        Milestone.objects.bulk_create(built)
        do_record_project_links(project, actor=actor, now=now)
    return list(project.milestones.order_by("planned_on", "id"))
