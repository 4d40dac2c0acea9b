"""调查取证 and 调查终结: a transcript before the report, preserved evidence decided before it, the facts
and the proposed penalty settled (re-checked against the discretion band); resuming after a pause (中止)
and the one extension of the limit (延期, art. 60)."""

from __future__ import annotations

from typing import Any

from core.errors import Conflict, DomainError, Unprocessable
from enforcement.actions.common import (
    EXTENSION_DAYS,
    end_of_day_after,
    parse_money,
)
from enforcement.actions.opening import check_discretion
from enforcement.cases import Meta
from enforcement.cases.deadlines import add_paused_time
from enforcement.models import (
    Case,
    RecordEntry,
    RecordKind,
)
from workflow.handlers import Step


def _update_findings(case: Case, inputs: dict[str, Any]) -> None:
    """调查终结: the facts and the proposed penalty may be settled now (re-checked against the band)."""
    if "facts" in inputs:
        case.facts = str(inputs["facts"]).strip()
    if "circumstance_level" in inputs:
        case.circumstance_level = str(inputs["circumstance_level"])
    if "circumstances" in inputs:
        case.circumstances = str(inputs["circumstances"]).strip()
    if "proposed_fine" in inputs:
        case.proposed_fine = parse_money(inputs["proposed_fine"], "inputs.proposed_fine")
    if "proposed_measures" in inputs:
        case.proposed_measures = str(inputs["proposed_measures"]).strip()
    if "discretion_justification" in inputs:
        case.discretion_justification = str(inputs["discretion_justification"]).strip()
    if not case.facts:
        raise DomainError("required", "请填写违法事实。", field="inputs.facts")
    outside = check_discretion(
        case.matter, case.circumstance_level, case.proposed_fine, case.discretion_justification
    )
    case.outside_band = outside
    if outside:
        case.is_major = True
    if inputs.get("is_major"):
        case.is_major = True
        case.needs_discussion = True


def resume(case: Case, step: Step) -> Meta:
    add_paused_time(case, step.item, step.now)
    return {"decision_due_at": case.decision_due_at}


def extend(case: Case, step: Step) -> Meta:
    if case.extended:
        raise Conflict("already_extended", "办案期限只能延长一次（30日）。", field="action")
    case.extended = True
    if case.decision_due_at is not None:
        case.decision_due_at = end_of_day_after(case.decision_due_at, EXTENSION_DAYS)
    return {"decision_due_at": case.decision_due_at}


def submit_report(case: Case, step: Step) -> Meta:
    if not RecordEntry.objects.filter(case=case, kind=RecordKind.TRANSCRIPT).exists():
        raise Unprocessable("transcript_required", "调查终结前须有询问笔录或现场笔录。", field="record")
    if case.preserved_at is not None and case.preservation_handled_at is None:
        raise Unprocessable("preservation_open", "先行登记保存的证据尚未作出处理决定。", field="preservation")
    _update_findings(case, step.inputs)
    case.report_at = step.now
    return {}
