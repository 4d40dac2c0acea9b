"""决定: the penalty decided — on the spot in the summary procedure (简易程序, art. 51: two officers, the
fine caps) or after the ordinary procedure (a heard case only after its legal review, art. 58) — with its
decision number and the publication it opens; or no penalty."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.errors import DomainError, Unprocessable
from enforcement.actions.common import (
    parse_money,
)
from enforcement.actions.opening import check_discretion, check_summary_limit
from enforcement.cases import Meta
from enforcement.cases.documents import next_number
from enforcement.cases.execution import record_service
from enforcement.cases.publication import ensure_publication
from enforcement.models import (
    Case,
    CaseOfficer,
    DocumentKind,
    ServiceMethod,
)
from workflow.handlers import Step


def _decide(case: Case, inputs: dict[str, Any], reason: str, *, now: datetime, summary: bool) -> None:
    fine = parse_money(inputs.get("fine_amount"), "inputs.fine_amount")
    if fine is None:
        fine = case.proposed_fine
    if summary:
        check_summary_limit(case.party_kind, fine)
    if (
        fine != case.proposed_fine
        and check_discretion(case.matter, case.circumstance_level, fine, case.discretion_justification)
        and not case.legal_reviewed_at
    ):
        raise Unprocessable(
            "outside_band", "决定的罚款超出裁量基准，须先经法制审核。", field="inputs.fine_amount"
        )
    measures = str(inputs.get("penalty_summary") or "").strip()
    if not fine and not measures and not case.proposed_measures:
        raise DomainError("required", "请填写处罚内容（罚款金额或警告等）。", field="inputs.penalty_summary")
    case.fine_amount = fine
    parts = [f"罚款人民币{fine}元"] if fine else []
    if measures or case.proposed_measures:
        parts.insert(0, measures or case.proposed_measures)
    case.penalty_summary = "；".join(parts)
    case.decision_basis = str(inputs.get("decision_basis") or case.matter.penalty_basis).strip()
    case.decision_number = next_number(
        case, DocumentKind.SUMMARY_DECISION if summary else DocumentKind.DECISION, now
    )
    case.decided_at = now
    ensure_publication(case)


def _reviewed_after_hearing(case: Case) -> None:
    """行政处罚法第五十八条: a case that went through a hearing is legally reviewed after the hearing and
    before the decision."""
    if not case.hearing_requested:
        return
    reviewed = case.legal_reviewed_at
    if reviewed is None or (case.hearing_at is not None and reviewed < case.hearing_at):
        raise Unprocessable(
            "legal_review_required",
            "经过听证的案件须在听证后经法制审核，方可作出决定（行政处罚法第五十八条）。",
            field="action",
        )


def decide_on_spot(case: Case, step: Step) -> Meta:
    if CaseOfficer.objects.filter(case=case).count() < 2:
        raise Unprocessable("officers_required", "简易程序须有两名以上执法人员在场。", field="officers")
    _decide(case, step.inputs, step.reason, now=step.now, summary=True)
    step.inputs.setdefault("method", ServiceMethod.DIRECT)
    record_service(
        case,
        step.inputs,
        actor=step.actor,
        now=step.now,
        kinds=[DocumentKind.SUMMARY_DECISION, DocumentKind.DECISION],
    )
    return {
        "decision_number": case.decision_number,
        "fine": case.fine_amount,
        "method": step.inputs["method"],
    }


def decide(case: Case, step: Step) -> Meta:
    _reviewed_after_hearing(case)
    _decide(case, step.inputs, step.reason, now=step.now, summary=False)
    late = case.decision_due_at is not None and step.now > case.decision_due_at
    return {"decision_number": case.decision_number, "fine": case.fine_amount, "late": late}


def decide_no_penalty(case: Case, step: Step) -> Meta:
    _reviewed_after_hearing(case)
    case.decided_at = step.now
    case.penalty_summary = "不予行政处罚"
    return {"reason": step.reason}
