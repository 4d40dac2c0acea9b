"""立案: the filing approved — at least two investigating officers, the filing number and the 90-day
decision limit (行政处罚法 art. 42, 60)."""

from __future__ import annotations

from core.errors import Unprocessable
from enforcement.actions.common import (
    DECISION_DAYS,
    INVESTIGATING_ROLES,
    end_of_day_after,
)
from enforcement.cases import Meta
from enforcement.cases.numbers import filing_number
from enforcement.models import (
    Case,
    CaseOfficer,
)
from workflow.handlers import Step


def approve_filing(case: Case, step: Step) -> Meta:
    if CaseOfficer.objects.filter(case=case, role__in=INVESTIGATING_ROLES).count() < 2:
        raise Unprocessable(
            "officers_required", "调查取证须有两名以上执法人员，请先增加办案人员。", field="officers"
        )
    case.number = filing_number(case, step.now)
    case.filed_at = step.now
    case.decision_due_at = end_of_day_after(step.now, DECISION_DAYS)
    return {"number": case.number, "decision_due_at": case.decision_due_at}
