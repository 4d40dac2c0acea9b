"""法制审核 and 集体讨论: the legal review of major or outside-band penalties before the notice, and after
a hearing before the decision (行政处罚法 art. 58); the collective discussion's conclusion."""

from __future__ import annotations

from datetime import datetime

from core.errors import DomainError
from enforcement.actions.common import (
    LEGAL_REVIEW_WORK_DAYS,
    end_of_work_days_after,
)
from enforcement.cases import Meta
from enforcement.models import (
    Case,
)
from workflow.handlers import Step


def open_legal_review(case: Case, now: datetime) -> Meta:
    case.legal_review_started_at = now
    case.legal_review_due_at = end_of_work_days_after(now, LEGAL_REVIEW_WORK_DAYS)
    case.legal_reviewed_at = None
    return {"legal_review_due_at": case.legal_review_due_at}


def send_legal_review(case: Case, step: Step) -> Meta:
    return open_legal_review(case, step.now)


def _legal_opinion(case: Case, step: Step) -> Meta:
    opinion = str(step.inputs.get("opinion") or step.reason).strip()
    if not opinion:
        raise DomainError("required", "请填写法制审核意见。", field="inputs.opinion")
    case.legal_review_opinion = opinion
    late = case.legal_review_due_at is not None and step.now > case.legal_review_due_at
    return {"opinion": opinion, "late": late, "due_at": case.legal_review_due_at}


def legal_review_pass(case: Case, step: Step) -> Meta:
    meta = _legal_opinion(case, step)
    case.legal_reviewed_at = step.now
    return meta


def legal_review_return(case: Case, step: Step) -> Meta:
    return _legal_opinion(case, step)


def record_discussion(case: Case, step: Step) -> Meta:
    conclusion = str(step.inputs.get("conclusion") or step.reason).strip()
    if not conclusion:
        raise DomainError("required", "请填写集体讨论结论。", field="inputs.conclusion")
    case.discussed_at = step.now
    return {"conclusion": conclusion}
