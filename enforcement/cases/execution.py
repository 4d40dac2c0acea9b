"""送达, 执行, 结案, 归档: the decision served (within 7 working days of the decision), the fine paid, the
case closed and archived under its archive number."""

from __future__ import annotations

from enforcement.actions.cases import _archive_number, _serve
from enforcement.actions.common import (
    _parse_moment,
    end_of_work_days_after,
)
from enforcement.cases import Meta
from enforcement.models import (
    Case,
    DocumentKind,
)
from workflow.handlers import Step


def serve(case: Case, step: Step) -> Meta:
    service = _serve(case, step.inputs, actor=step.actor, now=step.now, kinds=[DocumentKind.DECISION])
    meta: Meta = {"method": service.method, "receipt_hash": service.receipt_hash}
    if case.decided_at is not None:
        meta["late"] = step.now > end_of_work_days_after(case.decided_at, 7)
    return meta


def confirm_execution(case: Case, step: Step) -> Meta:
    if not case.fine_amount:
        return {}
    paid = step.inputs.get("paid_at")
    case.paid_at = _parse_moment(paid, "inputs.paid_at") if paid else step.now
    late = case.payment_due_at is not None and case.paid_at > case.payment_due_at
    return {"paid_at": case.paid_at, "late": late}


def close(case: Case, step: Step) -> Meta:
    case.closed_at = step.now
    return {}


def archive(case: Case, step: Step) -> Meta:
    case.archive_number = _archive_number(case, step.now)
    case.archived_at = step.now
    return {"archive_number": case.archive_number}
