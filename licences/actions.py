"""Writes of the licences app: issuing and revoking electronic certificates. Each action is one
transaction with its audit row; the holder's number is stored encrypted and never written to the audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from accounts.models import OrgUnit, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound
from core.idnumbers import is_valid_citizen_id
from core.pdf import content_hash
from core.pii import encrypt, lookup_hash, mask_id_number, mask_name
from licences import identifiers
from licences.access import access_certificate_management
from licences.models import Certificate, HolderKind, LicenceType

MAX_BODY_LINES = 40


def normalize_holder_number(holder_kind: str, holder_number: str) -> str:
    """The validated citizen ID (natural person) or credit code (legal person), upper-case."""
    number = (holder_number or "").strip().replace(" ", "").upper()
    if holder_kind == HolderKind.NATURAL:
        if not is_valid_citizen_id(number):
            raise DomainError("invalid_id_number", "公民身份号码不正确。", field="holder_number")
    elif holder_kind == HolderKind.LEGAL:
        if not uscc.is_valid(number):
            raise DomainError("invalid_credit_code", "统一社会信用代码不正确。", field="holder_number")
    else:
        raise DomainError("invalid_holder_kind", "持证主体类型应为自然人或法人。", field="holder_kind")
    return number


def holder_number_display(holder_kind: str, number: str) -> str:
    return mask_id_number(number) if holder_kind == HolderKind.NATURAL else number


def _body_lines(body: Sequence[Sequence[str]]) -> list[list[str]]:
    lines: list[list[str]] = []
    if not isinstance(body, list | tuple) or len(body) > MAX_BODY_LINES:
        raise DomainError("invalid_body", f"证照内容应为不超过{MAX_BODY_LINES}行的列表。", field="body")
    for line in body:
        if (
            not isinstance(line, list | tuple)
            or len(line) != 2
            or not all(isinstance(part, str) for part in line)
            or not line[0].strip()
        ):
            raise DomainError("invalid_body", "证照内容每行应为（名称，内容）。", field="body")
        lines.append([line[0].strip(), line[1].strip()])
    return lines


def do_issue_certificate(
    *,
    actor: User,
    now: datetime,
    licence_type: str,
    holder_name: str,
    holder_kind: str,
    holder_number: str,
    issuer: OrgUnit,
    issuer_credit_code: str,
    title: str,
    body: list[tuple[str, str]],
    subject_type: str = "",
    subject_id: str = "",
    valid_until: date | None = None,
) -> Certificate:
    """Issue a certificate: validate, number it (GB/T 36904 identifier), render the PDF and keep its hash.
    The actor must be allowed to issue for `issuer` (licences.access); outside their jurisdiction → 404.
    Without a public address for the QR code (licences.documents.public_base_url) → 503
    `public_base_url_missing`, before anything is numbered."""
    from licences.documents import certificate_pdf, public_base_url  # lazy: WeasyPrint loads on first PDF

    access_certificate_management(actor, issuer)
    public_base_url()
    holder_name = (holder_name or "").strip()
    if not holder_name or len(holder_name) > 100:
        raise DomainError("invalid_holder_name", "请填写持证主体名称（不超过100字）。", field="holder_name")
    number = normalize_holder_number(holder_kind, holder_number)
    credit_code = (issuer_credit_code or "").strip().upper()
    if not uscc.is_valid(credit_code):
        raise DomainError(
            "invalid_credit_code", "发证机构统一社会信用代码不正确。", field="issuer_credit_code"
        )
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise DomainError("invalid_title", "请填写证照名称（不超过200字）。", field="title")
    lines = _body_lines(body)
    if valid_until is not None and valid_until < timezone.localdate(now):
        raise DomainError("invalid_valid_until", "有效期不能早于发证日期。", field="valid_until")
    if len(subject_type) > 80 or len(subject_id) > 40:
        raise DomainError("invalid_subject", "关联对象过长。", field="subject_id")

    with transaction.atomic():
        try:
            kind = LicenceType.objects.select_for_update().get(code=licence_type, active=True)
        except LicenceType.DoesNotExist:
            raise DomainError("unknown_licence_type", "证照类型不存在。", field="licence_type") from None
        if kind.holder_kind and kind.holder_kind != holder_kind:
            raise DomainError("invalid_holder_kind", "该证照类型不适用于此类持证主体。", field="holder_kind")
        last = (
            Certificate.objects.filter(licence_type=kind, issuer_credit_code=credit_code)
            .order_by("-serial")
            .values_list("serial", flat=True)
            .first()
        )
        serial = (last or 0) + 1
        certificate = Certificate.objects.create(
            identifier=identifiers.compose(
                type_code=kind.code, issuer_credit_code=credit_code, serial=serial, version=1
            ),
            licence_type=kind,
            serial=serial,
            version=1,
            holder_name=holder_name,
            holder_kind=holder_kind,
            holder_number_encrypted=encrypt(number),
            holder_number_hash=lookup_hash(number),
            holder_number_display=holder_number_display(holder_kind, number),
            issuer=issuer,
            issuer_credit_code=credit_code,
            territory_code=issuer.territory_code,
            title=title,
            body=lines,
            subject_type=subject_type,
            subject_id=subject_id,
            issued_at=now,
            issued_by=actor,
            valid_until=valid_until,
        )
        certificate.pdf_hash = _pdf_hash(certificate_pdf(certificate, as_issued=True))
        certificate.save(update_fields=["pdf_hash"])
        record_event(
            actor=actor,
            action="licences.certificate_issued",
            subject=certificate,
            territory_code=certificate.territory_code,
            after={
                "identifier": certificate.identifier,
                "licence_type": kind.code,
                "holder": mask_name(holder_name) if holder_kind == HolderKind.NATURAL else holder_name,
                "holder_number": certificate.holder_number_display,
                "subject": f"{subject_type}:{subject_id}" if subject_type else "",
                "valid_until": valid_until.isoformat() if valid_until else None,
                "pdf_hash": certificate.pdf_hash,
            },
            now=now,
        )
    return certificate


def _pdf_hash(pdf: bytes) -> str:
    return content_hash(pdf)


def do_revoke_certificate(
    certificate: Certificate, *, actor: User, now: datetime, reason: str
) -> Certificate:
    """Revoke (撤销) a certificate with a reason. Refused (409) when already revoked."""
    reason = (reason or "").strip()
    access_certificate_management(actor, certificate.issuer)
    if not reason:
        raise DomainError("reason_required", "请填写撤销原因。", field="reason")
    if len(reason) > 500:
        raise DomainError("invalid_reason", "撤销原因不超过500字。", field="reason")
    with transaction.atomic():
        try:
            current = Certificate.objects.select_for_update().get(pk=certificate.pk)
        except Certificate.DoesNotExist:
            raise NotFound() from None
        if current.revoked_at is not None:
            raise Conflict("already_revoked", "该证照已撤销。")
        current.revoked_at = now
        current.revoke_reason = reason
        current.revoked_by = actor
        current.save(update_fields=["revoked_at", "revoke_reason", "revoked_by"])
        record_event(
            actor=actor,
            action="licences.certificate_revoked",
            subject=current,
            territory_code=current.territory_code,
            before={"revoked_at": None},
            after={"revoked_at": now.isoformat(), "reason": reason},
            now=now,
        )
    certificate.revoked_at, certificate.revoke_reason, certificate.revoked_by = now, reason, actor
    return certificate
