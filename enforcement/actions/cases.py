"""The door to a case's steps (the engine runs the handlers bound in enforcement.cases.binding) and adding
officers to a case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, PermissionRefused, Unprocessable
from enforcement.actions.access import _require_case_access
from enforcement.actions.opening import _officers
from enforcement.actions.record import append_record
from enforcement.models import Case, CaseOfficer, CaseOfficerRole
from workflow.engine import transition
from workflow.models import WorkItem


def do_case_action(
    case: Case,
    action: str,
    *,
    actor: User,
    now: datetime,
    reason: str = "",
    inputs: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Case:
    """Enforcement's door to a case step: the engine takes `action`, running the step's statutory checks,
    case fields and record entry bound in `enforcement.cases.binding` (the same path as every other door).
    Refusals: 404 outside jurisdiction, 409 wrong state/stale/limits, 403 role or not on the case,
    400/422 with the field."""
    _require_case_access(case, actor)
    if case.work_item_id is None:
        raise Conflict("invalid_transition", "该案件没有办件。")
    item = WorkItem.objects.select_related("process_version").get(pk=case.work_item_id)
    transition(
        item,
        action,
        actor=actor,
        now=now,
        reason=reason,
        inputs=dict(inputs or {}),
        expected_version=expected_version,
    )
    return Case.objects.select_related("matter", "work_item", "grid_event").get(pk=case.pk)


def do_add_case_officer(case: Case, officer: User, *, role: str, actor: User, now: datetime) -> CaseOfficer:
    """Add an officer to the case (协办/调查人员) — by the squad leader or the lead officer."""
    _require_case_access(case, actor)
    if role not in (CaseOfficerRole.ASSIST, CaseOfficerRole.INVESTIGATOR):
        raise DomainError("invalid", "只能增加协办或调查人员。", field="role")
    if (
        not actor.is_system
        and actor.pk != case.lead_officer_id
        and Role.SQUAD_LEADER.value not in user_roles(actor)
    ):
        raise PermissionRefused("not_allowed", "只有主办队员或中队长可以增加办案人员。")
    _officers([officer.username], case.town_code)
    if case.hearing_chair_id == officer.pk:
        raise Unprocessable("chair_investigated", "听证主持人不能参与本案调查。", field="officer")
    with transaction.atomic():
        row, _created = CaseOfficer.objects.get_or_create(case=case, officer=officer, role=role)
        append_record(
            case,
            step="add_officer",
            title=f"增加办案人员：{officer}",
            actor=actor,
            now=now,
            meta={"officer": officer.username, "role": role},
        )
        record_event(
            actor=actor,
            action="enforcement.add_case_officer",
            subject=case,
            territory_code=case.territory_code,
            after={"officer": officer.username, "role": role},
            now=now,
        )
    return row
