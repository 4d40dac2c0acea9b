"""The door to a case's steps (the engine runs the handlers bound in enforcement.cases.binding), with the
case numbers and service records the steps share, and adding officers to a case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, PermissionRefused, Unprocessable
from enforcement.actions.access import _require_case_access
from enforcement.actions.common import PAYMENT_DAYS, _hash_json, _local_date, end_of_day_after
from enforcement.actions.opening import _officers
from enforcement.actions.record import append_record
from enforcement.cases.deadlines import extend_for_pause
from enforcement.cases.documents import district_abbreviation, town_abbreviation
from enforcement.models import Case, CaseDocument, CaseOfficer, CaseOfficerRole, ServiceMethod, ServiceRecord
from workflow.engine import transition
from workflow.models import WorkItem


def _next_serial(town_code: str, field: str, prefix: str) -> int:
    existing = Case.objects.filter(town_code=town_code, **{f"{field}__startswith": prefix}).count()
    return existing + 1


def _filing_number(case: Case, now: datetime) -> str:
    """立案编号: 相黄综执立字〔2026〕第0001号 (the documents' scheme, serial per town and year)."""
    year = _local_date(now).year
    prefix = f"{district_abbreviation(case.town_code)}{town_abbreviation(case.town_code)}综执立字〔{year}〕"
    serial = _next_serial(case.town_code, "number", prefix)
    return f"{prefix}第{serial:04d}号"


def _archive_number(case: Case, now: datetime) -> str:
    year = _local_date(now).year
    prefix = f"{year}"
    serial = _next_serial(case.town_code, "archive_number", prefix)
    return f"{prefix}{serial:04d}"


def _add_paused_time(case: Case, item: WorkItem, now: datetime) -> None:
    if item.paused_at is not None and case.decision_due_at is not None:
        case.decision_due_at = extend_for_pause(case.decision_due_at, item.paused_at, now)


def _latest_document(case: Case, kinds: Sequence[str]) -> CaseDocument | None:
    return (
        CaseDocument.objects.filter(case=case, kind__in=list(kinds)).order_by("-generated_at", "-id").first()
    )


def _serve(
    case: Case, inputs: dict[str, Any], *, actor: User, now: datetime, kinds: Sequence[str]
) -> ServiceRecord:
    method = str(inputs.get("method") or "")
    if method not in ServiceMethod.values:
        raise DomainError("invalid", "送达方式须为七种法定方式之一。", field="inputs.method")
    recipient = str(inputs.get("recipient") or case.party_name).strip()[:200]
    place = str(inputs.get("place") or case.party_address).strip()[:300]
    document = _latest_document(case, kinds)
    receipt = {
        "case": case.pk,
        "document": document.content_hash if document else kinds[0],
        "method": method,
        "recipient": recipient,
        "place": place,
        "served_at": now.isoformat(),
        "actor": actor.username,
    }
    service = ServiceRecord.objects.create(
        case=case,
        document=document,
        document_kind=document.kind if document else kinds[0],
        method=method,
        served_at=now,
        recipient=recipient,
        place=place,
        receipt_hash=_hash_json(receipt),
        actor=actor,
    )
    case.served_at = now
    if case.fine_amount:
        case.payment_due_at = end_of_day_after(now, PAYMENT_DAYS)
    return service


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
