"""Evidence preserved in advance (证据先行登记保存) and the decision on it within 7 working days."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError
from enforcement.actions.access import _require_case_access, _require_team
from enforcement.actions.common import PRESERVATION_DAYS, end_of_work_days_after
from enforcement.actions.record import append_record
from enforcement.models import Case, RecordKind
from workflow.models import WorkItem


def do_preserve_evidence(case: Case, *, items: str, actor: User, now: datetime) -> Case:
    """证据先行登记保存: the officers must decide what to do with the goods within 7 days."""
    _require_case_access(case, actor)
    _require_team(case, actor)
    if not items.strip():
        raise DomainError("required", "请填写登记保存的物品。", field="items")
    state = WorkItem.objects.filter(pk=case.work_item_id or 0).values_list("state", flat=True).first()
    if state != "investigating":
        raise Conflict("invalid_transition", "只有调查取证阶段可以先行登记保存证据。", field="action")
    if case.preserved_at is not None and case.preservation_handled_at is None:
        raise Conflict("preservation_open", "已有先行登记保存的证据尚未处理。")
    with transaction.atomic():
        case.preserved_at = now
        case.preservation_due_at = end_of_work_days_after(now, PRESERVATION_DAYS)
        case.preservation_handled_at = None
        case.updated_at = now
        case.save(
            update_fields=["preserved_at", "preservation_due_at", "preservation_handled_at", "updated_at"]
        )
        append_record(
            case,
            step="preserve_evidence",
            title="证据先行登记保存",
            actor=actor,
            now=now,
            kind=RecordKind.EVIDENCE,
            meta={"items": items.strip(), "due_at": case.preservation_due_at.isoformat()},
        )
        record_event(
            actor=actor,
            action="enforcement.preserve_evidence",
            subject=case,
            territory_code=case.territory_code,
            after={"due_at": case.preservation_due_at},
            now=now,
        )
    return case


def do_handle_preservation(case: Case, *, decision: str, actor: User, now: datetime) -> Case:
    """The decision on preserved evidence (return, confiscate, inspect…); late after 7 working days."""
    _require_case_access(case, actor)
    _require_team(case, actor)
    if case.preserved_at is None or case.preservation_handled_at is not None:
        raise Conflict("no_preservation", "没有待处理的先行登记保存证据。")
    if not decision.strip():
        raise DomainError("required", "请填写处理决定。", field="decision")
    late = case.preservation_due_at is not None and now > case.preservation_due_at
    with transaction.atomic():
        case.preservation_handled_at = now
        case.updated_at = now
        case.save(update_fields=["preservation_handled_at", "updated_at"])
        append_record(
            case,
            step="handle_preservation",
            title="登记保存证据处理决定",
            actor=actor,
            now=now,
            kind=RecordKind.EVIDENCE,
            meta={"decision": decision.strip(), "late": late},
        )
        record_event(
            actor=actor,
            action="enforcement.handle_preservation",
            subject=case,
            territory_code=case.territory_code,
            after={"late": late},
            now=now,
        )
    return case
