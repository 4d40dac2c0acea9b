"""How matters and cases are rendered in the API: a matter with its bands, a case in a list, a case in
full (record, documents, officers, deadlines, the late-payment surcharge)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import User
from core import pii
from enforcement import actions
from enforcement.api.common import _iso, _money
from enforcement.cases.surcharge import for_case as late_payment_surcharge
from enforcement.models import Case, PartyKind
from workflow.access import available_actions
from workflow.deadlines import time_left, traffic_light
from workflow.selectors import timeline_of


def matter_data(matter: Any) -> dict[str, Any]:
    return {
        "code": matter.code,
        "name": matter.name,
        "sector": matter.sector,
        "sector_title": matter.get_sector_display(),
        "violation_basis": matter.violation_basis,
        "penalty_basis": matter.penalty_basis,
        "penalty_types": matter.penalty_types,
        "hearing_possible": matter.hearing_possible,
        "summary_allowed": matter.summary_allowed,
        "bands": [
            {
                "level": band.level,
                "level_title": band.get_level_display(),
                "circumstances": band.circumstances,
                "fine_min": _money(band.fine_min),
                "fine_max": _money(band.fine_max),
                "other_measures": band.other_measures,
            }
            for band in matter.bands.all()
        ],
    }


def _surcharge(case: Case, now: datetime) -> dict[str, Any] | None:
    owed = late_payment_surcharge(case, now)
    return owed.as_dict() if owed is not None else None


def case_summary_data(case: Case, now: datetime) -> dict[str, Any]:
    item = case.work_item
    definition = None
    if item is not None:
        from workflow.publishing import definition_for

        definition = definition_for(item)
    left = time_left(item, now) if item is not None else None
    payment_overdue = bool(
        case.payment_due_at is not None and case.paid_at is None and now > case.payment_due_at
    )
    return {
        "id": case.pk,
        "number": case.number,
        "procedure": case.procedure,
        "source": case.source,
        "matter": {"code": case.matter.code, "name": case.matter.name},
        "town_code": case.town_code,
        "territory_code": case.territory_code,
        "address": case.address,
        "lon": case.lon,
        "lat": case.lat,
        "party_kind": case.party_kind,
        "party_name": case.party_name
        if case.party_kind == PartyKind.LEGAL
        else pii.mask_name(case.party_name),
        "party_credit_code": case.party_credit_code,
        "squad": {"code": case.squad.code, "name": case.squad.name},
        "lead_officer": case.lead_officer.username,
        "state": item.state if item else "",
        "state_title": definition.states[item.state].title if item and definition else "",
        "step_due_at": _iso(item.step_due_at) if item else None,
        "light": traffic_light(item, now) if item else None,
        "time_left": left.display if left else None,
        "decision_due_at": _iso(case.decision_due_at),
        "decision_number": case.decision_number,
        "fine_amount": _money(case.fine_amount),
        "payment_due_at": _iso(case.payment_due_at),
        "payment_overdue": payment_overdue,
        "late_payment_surcharge": _surcharge(case, now),
        "archive_number": case.archive_number,
        "created_at": _iso(case.created_at),
        "closed_at": _iso(case.closed_at),
        "grid_event": case.grid_event.receipt_number if case.grid_event_id and case.grid_event else None,
        "version": item.version if item else None,
    }


def case_detail_data(case: Case, user: User, now: datetime) -> dict[str, Any]:
    data = case_summary_data(case, now)
    item = case.work_item
    data.update(
        {
            "party_number": pii.mask_id_number(pii.decrypt(case.party_number_enc))
            if case.party_number_enc
            else "",
            "party_phone": pii.mask_phone(pii.decrypt(case.party_phone_enc)) if case.party_phone_enc else "",
            "party_address": case.party_address,
            "facts": case.facts,
            "circumstance_level": case.circumstance_level,
            "circumstances": case.circumstances,
            "proposed_fine": _money(case.proposed_fine),
            "proposed_measures": case.proposed_measures,
            "discretion_justification": case.discretion_justification,
            "outside_band": case.outside_band,
            "is_major": case.is_major,
            "needs_discussion": case.needs_discussion,
            "filed_at": _iso(case.filed_at),
            "preservation_due_at": _iso(case.preservation_due_at),
            "legal_review_due_at": _iso(case.legal_review_due_at),
            "legal_reviewed_at": _iso(case.legal_reviewed_at),
            "legal_review_opinion": case.legal_review_opinion,
            "discussed_at": _iso(case.discussed_at),
            "notice_at": _iso(case.notice_at),
            "hearing_window_ends_at": _iso(case.hearing_window_ends_at),
            "hearing_requested": case.hearing_requested,
            "hearing_at": _iso(case.hearing_at),
            "hearing_chair": case.hearing_chair.username
            if case.hearing_chair_id and case.hearing_chair
            else None,
            "extended": case.extended,
            "decided_at": _iso(case.decided_at),
            "penalty_summary": case.penalty_summary,
            "decision_basis": case.decision_basis,
            "served_at": _iso(case.served_at),
            "paid_at": _iso(case.paid_at),
            "officers": [
                {"username": o.officer.username, "name": str(o.officer), "role": o.role}
                for o in case.officers.all()
            ],
            "record": [
                {
                    "seq": e.seq,
                    "step": e.step,
                    "kind": e.kind,
                    "title": e.title,
                    "actor": e.actor.username,
                    "at": _iso(e.at),
                    "content_hash": e.content_hash,
                    "has_file": bool(e.file),
                    "meta": e.meta,
                }
                for e in case.record.all()
            ],
            "documents": [
                {
                    "id": d.pk,
                    "kind": d.kind,
                    "kind_title": d.get_kind_display(),
                    "number": d.number,
                    "volume": d.volume,
                    "content_hash": d.content_hash,
                    "generated_at": _iso(d.generated_at),
                }
                for d in case.documents.all()
            ],
            "services": [
                {
                    "method": s.method,
                    "method_title": s.get_method_display(),
                    "document_kind": s.document_kind,
                    "served_at": _iso(s.served_at),
                    "recipient": s.recipient,
                    "receipt_hash": s.receipt_hash,
                }
                for s in case.services.all()
            ],
            "timeline": (
                [
                    {
                        "action": row.transition.action,
                        "title": row.action_title,
                        "from": row.transition.from_state,
                        "from_title": row.from_title,
                        "to": row.transition.to_state,
                        "to_title": row.to_title,
                        "actor": str(row.transition.actor),
                        "reason": row.transition.reason,
                        "at": _iso(row.transition.occurred_at),
                    }
                    for row in timeline_of(item)
                ]
                if item
                else []
            ),
            "actions": (
                [
                    {
                        "name": a.name,
                        "title": a.title,
                        "to": a.target,
                        "requires": {"reason": a.requires.reason, "fields": list(a.requires.fields)},
                    }
                    for a in available_actions(item, user)
                ]
                if item is not None and actions.may_act(case, user)
                else []
            ),
        }
    )
    return data
