"""The standard enforcement forms (文书) as Chinese PDFs: which kinds are generated, their numbers, the
case data each form is filled with, and the order of the case file (卷宗). Writes are in
enforcement.cases.document_actions.

Numbers (文号): district abbreviation + town abbreviation + 综执 + the kind's abbreviation + 字〔year〕第
serial号, e.g. 相黄综执罚决字〔2026〕第0012号. The serial counts per town, per kind and per calendar year
(local time), four digits. The town's abbreviation is the first character of its name, or the first two
when another town of the district starts with the same character (黄桥 / 黄埭 → 黄桥 / 黄埭).

Personal numbers: every form shows the party's citizen ID masked (first 6 + last 4) and the phone masked.
The stored PDFs are ordinary files, so the clear number never goes into them; the decision served on
the party identifies it by name, masked ID and address (docs/evaluation.md)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.pii import decrypt, mask_id_number, mask_phone
from enforcement.cases.surcharge import for_case as late_payment_surcharge
from enforcement.models import (
    Case,
    CaseDocument,
    CircumstanceLevel,
    DocumentKind,
    PartyKind,
    Procedure,
    RecordKind,
    ServiceRecord,
    Volume,
)
from territory.models import Division

LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

# Abbreviation in the number of each kind the platform generates.
KIND_ABBREVIATIONS: dict[str, str] = {
    DocumentKind.FILING_APPROVAL: "立审",
    DocumentKind.INQUIRY_TRANSCRIPT: "询笔",
    DocumentKind.ADVANCE_NOTICE: "罚告",
    DocumentKind.HEARING_NOTICE: "听通",
    DocumentKind.DECISION: "罚决",
    DocumentKind.SUMMARY_DECISION: "简罚",
    DocumentKind.SERVICE_RECEIPT: "送回",
    DocumentKind.CLOSING_REPORT: "结报",
}
GENERATED_KINDS: tuple[str, ...] = tuple(KIND_ABBREVIATIONS)
# Kinds a case has at most one of (a second generation is refused); transcripts and receipts repeat.
SINGLE_KINDS: frozenset[str] = frozenset(
    {
        DocumentKind.FILING_APPROVAL,
        DocumentKind.ADVANCE_NOTICE,
        DocumentKind.HEARING_NOTICE,
        DocumentKind.DECISION,
        DocumentKind.SUMMARY_DECISION,
        DocumentKind.CLOSING_REPORT,
    }
)
# The document set of each procedure: a summary case (art. 51, decided on the spot) has its on-the-spot
# decision, the service receipt and the closing report; none of the ordinary procedure's forms (filing
# approval, inquiry transcript, advance notice, hearing notice, the ordinary decision).
SUMMARY_KINDS: frozenset[str] = frozenset(
    {DocumentKind.SUMMARY_DECISION, DocumentKind.SERVICE_RECEIPT, DocumentKind.CLOSING_REPORT}
)
ORDINARY_KINDS: frozenset[str] = frozenset(GENERATED_KINDS) - {DocumentKind.SUMMARY_DECISION}


def kinds_for(procedure: str) -> tuple[str, ...]:
    """The generated kinds a case of `procedure` may have, in the forms' order."""
    allowed = SUMMARY_KINDS if procedure == Procedure.SUMMARY else ORDINARY_KINDS
    return tuple(kind for kind in GENERATED_KINDS if kind in allowed)


# The decision kinds take the case's decision number when the case has one.
DECISION_KINDS: frozenset[str] = frozenset({DocumentKind.DECISION, DocumentKind.SUMMARY_DECISION})
# Form template of each kind (the summary decision is the decision form without the notice paragraph).
TEMPLATES: dict[str, str] = {kind: f"enforcement/forms/{kind}.html" for kind in KIND_ABBREVIATIONS} | {
    DocumentKind.SUMMARY_DECISION: "enforcement/forms/decision.html"
}

# Case file order (DOMAIN.md): main volume — filing form, decision, notices, service receipts,
# transcripts, evidence, receipts; secondary volume — case source, investigation report, legal-review
# opinion, discussion record, hearing report, closing report.
MAIN_VOLUME: tuple[str, ...] = (
    DocumentKind.FILING_APPROVAL,
    DocumentKind.SUMMARY_DECISION,
    DocumentKind.DECISION,
    DocumentKind.ADVANCE_NOTICE,
    DocumentKind.HEARING_NOTICE,
    DocumentKind.PRESERVATION_NOTICE,
    DocumentKind.SERVICE_RECEIPT,
    DocumentKind.INQUIRY_TRANSCRIPT,
    DocumentKind.SITE_TRANSCRIPT,
    DocumentKind.EVIDENCE_LIST,
    DocumentKind.PAYMENT_RECEIPT,
)
SECONDARY_VOLUME: tuple[str, ...] = (
    DocumentKind.CASE_SOURCE,
    DocumentKind.INVESTIGATION_REPORT,
    DocumentKind.LEGAL_REVIEW_OPINION,
    DocumentKind.DISCUSSION_RECORD,
    DocumentKind.HEARING_REPORT,
    DocumentKind.CLOSING_REPORT,
)


def volume_of(kind: str) -> str:
    return Volume.SECONDARY if kind in SECONDARY_VOLUME else Volume.MAIN


def volume_position(kind: str) -> tuple[int, int]:
    if kind in SECONDARY_VOLUME:
        return 1, SECONDARY_VOLUME.index(kind)
    return 0, MAIN_VOLUME.index(kind) if kind in MAIN_VOLUME else len(MAIN_VOLUME)


def _division_name(code: str) -> str:
    return Division.objects.filter(code=code).values_list("name", flat=True).first() or ""


def town_abbreviation(town_code: str) -> str:
    name = _division_name(town_code)
    if not name:
        return town_code[-3:]
    siblings = Division.objects.filter(code__startswith=town_code[:6], level=Division.Level.TOWN).exclude(
        code=town_code
    )
    if any(other.startswith(name[0]) for other in siblings.values_list("name", flat=True)):
        return name[:2]
    return name[0]


def district_abbreviation(town_code: str) -> str:
    name = _division_name(town_code[:6])
    return name[0] if name else ""


def issuing_authority(town_code: str) -> str:
    """The organ that decides in its own name: 相城区黄桥街道办事处 / 相城区渭塘镇人民政府."""
    town = _division_name(town_code)
    district = _division_name(town_code[:6])
    suffix = "办事处" if town.endswith("街道") else "人民政府"
    return f"{district}{town}{suffix}"


def number_prefix(town_code: str, kind: str, year: int) -> str:
    place = district_abbreviation(town_code) + town_abbreviation(town_code)
    return f"{place}综执{KIND_ABBREVIATIONS[kind]}字〔{year}〕"


def serial_of(number: str, prefix: str) -> int:
    if not number.startswith(prefix):
        return 0
    digits = "".join(ch for ch in number[len(prefix) :] if ch.isdigit())
    return int(digits) if digits else 0


def next_number(case: Case, kind: str, now: datetime) -> str:
    """The next free number of `kind` in the case's town and the current local year. The caller holds
    the town's numbering lock (document_actions) so two generations cannot take the same serial."""
    year = now.astimezone(LOCAL_TZ).year
    prefix = number_prefix(case.town_code, kind, year)
    numbers = list(
        CaseDocument.objects.filter(
            kind=kind, case__town_code=case.town_code, number__startswith=prefix
        ).values_list("number", flat=True)
    )
    if kind in DECISION_KINDS:
        numbers += Case.objects.filter(
            town_code=case.town_code, decision_number__startswith=prefix
        ).values_list("decision_number", flat=True)
    serial = max((serial_of(number, prefix) for number in numbers), default=0) + 1
    return f"{prefix}第{serial:04d}号"


@dataclass(frozen=True)
class PartyView:
    name: str
    kind_label: str
    is_natural: bool
    id_number: str  # masked
    credit_code: str
    address: str
    phone: str  # masked


def party_view(case: Case) -> PartyView:
    natural = case.party_kind == PartyKind.NATURAL
    number = decrypt(case.party_number_enc) if natural and case.party_number_enc else ""
    return PartyView(
        name=case.party_name,
        kind_label=str(PartyKind(case.party_kind).label),
        is_natural=natural,
        id_number=mask_id_number(number),
        credit_code="" if natural else case.party_credit_code,
        address=case.party_address,
        phone=mask_phone(decrypt(case.party_phone_enc)) if case.party_phone_enc else "",
    )


def yuan(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    text = f"{amount:,.2f}".rstrip("0").rstrip(".")
    return f"人民币{text}元"


def penalty_text(fine: Decimal | None, measures: str) -> str:
    parts = []
    if fine:
        parts.append(f"罚款{yuan(fine)}")
    if measures.strip():
        parts.append(measures.strip())
    return "；".join(parts) or "警告"


def _officer_names(case: Case) -> tuple[str, str]:
    lead = str(case.lead_officer)
    names = [lead]
    for officer in case.officers.select_related("officer").order_by("id"):
        name = str(officer.officer)
        if name not in names and officer.role != "hearing_chair":
            names.append(name)
    return lead, "、".join(names)


def _transcripts(case: Case) -> list[dict[str, Any]]:
    entries = case.record.filter(kind=RecordKind.TRANSCRIPT).select_related("actor").order_by("seq")
    rows = []
    for entry in entries:
        # What the officer wrote down: the record's note (do_add_record, the case page's and the API's
        # record form), or `text` in entries written with one.
        meta = entry.meta or {}
        text = str(meta.get("note") or meta.get("text") or "") or entry.title
        rows.append(
            {"title": entry.title, "at": entry.at, "actor": str(entry.actor), "lines": text.splitlines()}
        )
    return rows


def build_context(
    case: Case,
    kind: str,
    *,
    number: str,
    actor: Any,
    now: datetime,
    details: dict[str, Any],
    qr: str,
) -> dict[str, Any]:
    """Everything a form template reads. `details` carries what the case does not hold (the place of an
    inquiry, the served document of a receipt, approval opinions)."""
    matter = case.matter
    lead, officers = _officer_names(case)
    level = CircumstanceLevel(case.circumstance_level).label if case.circumstance_level else ""
    owed = late_payment_surcharge(case, now)  # art. 72: 3 % a day overdue, never above the fine
    context: dict[str, Any] = {
        "doc": {
            "title": DocumentKind(kind).label,
            "number": number,
            "issuer": issuing_authority(case.town_code),
            "generated_at": now.astimezone(LOCAL_TZ),
            "generated_by": str(actor),
            "qr": qr,
        },
        "case": case,
        "is_summary": kind == DocumentKind.SUMMARY_DECISION,
        "matter": matter,
        "party": party_view(case),
        "details": details,
        "lead_name": lead,
        "officer_names": officers,
        "squad_name": case.squad.name,
        "case_source": case.get_source_display()
        + (f"（{case.source_detail}）" if case.source_detail else ""),
        "circumstance_label": level,
        "benchmark_title": f"{matter.name}裁量基准",
        "proposed_penalty": penalty_text(case.proposed_fine, case.proposed_measures),
        "penalty_text": case.penalty_summary or penalty_text(case.fine_amount, case.proposed_measures),
        "fine": case.fine_amount,
        "fine_text": yuan(case.fine_amount),
        "surcharge": owed,
        "surcharge_text": yuan(owed.amount) if owed is not None else "",
        "decision_basis": case.decision_basis or matter.penalty_basis,
        "decided_at": (case.decided_at or now).astimezone(LOCAL_TZ),
        "notice_date": case.notice_at.astimezone(LOCAL_TZ) if case.notice_at else None,
        "hearing_deadline": (
            case.hearing_window_ends_at or (case.notice_at or now) + timedelta(days=5)
        ).astimezone(LOCAL_TZ),
        "hearing_at": case.hearing_at.astimezone(LOCAL_TZ) if case.hearing_at else None,
        "chair_name": str(case.hearing_chair) if case.hearing_chair_id else details.get("chair", ""),
        "transcripts": _transcripts(case) if kind == DocumentKind.INQUIRY_TRANSCRIPT else [],
    }
    if kind == DocumentKind.SERVICE_RECEIPT:
        context.update(_service_context(case, details))
    return context


def _service_context(case: Case, details: dict[str, Any]) -> dict[str, Any]:
    service = None
    if details.get("service_id"):
        service = (
            ServiceRecord.objects.filter(case=case, pk=details["service_id"])
            .select_related("document")
            .first()
        )
    if service is None:
        service = case.services.select_related("document").order_by("-served_at", "-id").first()
    served = {"title": "", "number": ""}
    view: dict[str, Any] = {}
    if service is not None:
        view = {
            "recipient": service.recipient,
            "served_at": service.served_at.astimezone(LOCAL_TZ),
            "method_label": service.get_method_display(),
        }
        served = {
            "title": str(DocumentKind(service.document_kind).label),
            "number": service.document.number if service.document else "",
        }
        if not served["number"] and service.document_kind == DocumentKind.DECISION:
            served["number"] = case.decision_number
    return {"service": view, "served_document": served}
