"""送达, 执行, 结案, 归档: the decision served (within 7 working days of the decision), the fine paid, the
case closed and archived under its archive number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from accounts.models import User
from core.errors import DomainError
from enforcement.actions.common import (
    PAYMENT_DAYS,
    _hash_json,
    _parse_moment,
    end_of_day_after,
    end_of_work_days_after,
)
from enforcement.cases import Meta
from enforcement.cases.numbers import archive_number
from enforcement.models import Case, CaseDocument, DocumentKind, ServiceMethod, ServiceRecord
from workflow.handlers import Step


def latest_document(case: Case, kinds: Sequence[str]) -> CaseDocument | None:
    """The newest generated document of those kinds: what a service (送达) delivers."""
    return (
        CaseDocument.objects.filter(case=case, kind__in=list(kinds)).order_by("-generated_at", "-id").first()
    )


def record_service(
    case: Case, inputs: dict[str, Any], *, actor: User, now: datetime, kinds: Sequence[str]
) -> ServiceRecord:
    """送达: the service record (one of the seven statutory methods, with a receipt hash); the payment
    deadline starts from it."""
    method = str(inputs.get("method") or "")
    if method not in ServiceMethod.values:
        raise DomainError("invalid", "送达方式须为七种法定方式之一。", field="inputs.method")
    recipient = str(inputs.get("recipient") or case.party_name).strip()[:200]
    place = str(inputs.get("place") or case.party_address).strip()[:300]
    document = latest_document(case, kinds)
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


def serve(case: Case, step: Step) -> Meta:
    service = record_service(case, step.inputs, actor=step.actor, now=step.now, kinds=[DocumentKind.DECISION])
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
    case.archive_number = archive_number(case, step.now)
    case.archived_at = step.now
    return {"archive_number": case.archive_number}
