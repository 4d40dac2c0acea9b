"""Issuing and revoking certificates: numbering, encryption, audit, PDF, who may, bad input."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from core.errors import DomainError, NotFound, PermissionRefused
from core.pdf import content_hash, pdf_text
from core.pii import decrypt, lookup_hash
from licences import identifiers
from licences.actions import do_revoke_certificate
from licences.documents import certificate_pdf
from licences.models import Certificate, CertificateStatus
from licences.tests.conftest import HQ_SERVICE_CREDIT, ID_NUMBER, PERMIT_TYPE, T0, issue
from registry.testing import register_named_person

pytestmark = pytest.mark.django_db


def test_issue_numbers_encrypts_and_audits(staff: dict[str, Any]) -> None:
    first = issue(staff)
    second = issue(
        staff, holder_name="苏州某某餐饮有限公司", holder_kind="legal", holder_number="12441500196720244T"
    )
    assert (first.serial, second.serial) == (1, 2)
    assert first.identifier == identifiers.compose(
        type_code=PERMIT_TYPE, issuer_credit_code=HQ_SERVICE_CREDIT, serial=1, version=1
    )
    assert identifiers.is_valid(first.identifier)
    assert first.territory_code == "320507003"
    assert decrypt(first.holder_number_encrypted) == ID_NUMBER
    assert first.holder_number_hash == lookup_hash(ID_NUMBER)
    assert first.holder_number_display == "110105********002X"
    assert second.holder_number_display == "12441500196720244T"  # a credit code is public
    assert first.body == [["许可事项", "门头招牌设置许可"], ["许可内容", "黄桥街道胡湾路88号门头招牌一块"]]
    audit = AuditEvent.objects.filter(action="licences.certificate_issued").order_by("id").first()
    assert audit is not None and audit.subject_id == str(first.pk) and audit.actor_id == staff["hq_clerk"].pk
    assert ID_NUMBER not in str(audit.after) and "王小明" not in str(audit.after)
    assert first.status_at(T0) == CertificateStatus.VALID


def test_pdf_carries_holder_identifier_and_verify_link(staff: dict[str, Any]) -> None:
    certificate = issue(staff)
    pdf = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf).replace(" ", "").replace("\n", "")
    assert "王小明" in text
    assert "准予行政许可决定书" in text
    assert "黄桥街道便民服务中心" in text
    assert "110105********002X" in text and ID_NUMBER not in text
    assert certificate.identifier in text
    assert f"/verify/{certificate.identifier}/" in text
    assert content_hash(pdf) == certificate.pdf_hash  # the re-render is the document as issued


def test_valid_until_and_expiry(staff: dict[str, Any]) -> None:
    certificate = issue(staff, valid_until=date(2026, 3, 31))
    assert certificate.status_at(T0 + timedelta(days=29)) == CertificateStatus.VALID
    assert certificate.status_at(T0 + timedelta(days=30)) == CertificateStatus.EXPIRED


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"licence_type": "NOPE"}, "licence_type", "unknown_licence_type"),
        ({"holder_name": " "}, "holder_name", "invalid_holder_name"),
        ({"holder_number": "110105194912310021"}, "holder_number", "invalid_id_number"),
        (
            {"holder_kind": "legal", "holder_number": "12441500196720244X"},
            "holder_number",
            "invalid_credit_code",
        ),
        ({"holder_kind": "robot"}, "holder_kind", "invalid_holder_kind"),
        ({"issuer_credit_code": "11100000000013338X"}, "issuer_credit_code", "invalid_credit_code"),
        ({"title": ""}, "title", "invalid_title"),
        ({"body": [("只有名称",)]}, "body", "invalid_body"),
        ({"body": "不是列表"}, "body", "invalid_body"),
        ({"valid_until": date(2026, 3, 1)}, "valid_until", "invalid_valid_until"),
    ],
)
def test_issue_refuses_bad_input(
    staff: dict[str, Any], overrides: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        issue(staff, **overrides)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert not Certificate.objects.exists()


def test_issue_refuses_a_holder_kind_the_type_does_not_allow(staff: dict[str, Any]) -> None:
    from licences.reference import NO_HOUSING_TYPE_CODE

    with pytest.raises(DomainError) as caught:
        issue(
            staff, licence_type=NO_HOUSING_TYPE_CODE, holder_kind="legal", holder_number="12441500196720244T"
        )
    assert caught.value.field == "holder_kind"


@pytest.mark.parametrize("who", ["hq_clerk", "hq_approver", "hq_leader", "system"])
def test_who_may_issue(staff: dict[str, Any], who: str) -> None:
    assert issue(staff, actor=who).issued_by == staff[who]


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("hq_agency", PermissionRefused),
        ("hq_officer", PermissionRefused),
        ("wt_clerk", NotFound),
        ("wt_grid", NotFound),
        ("district_approver", PermissionRefused),
    ],
)
def test_who_may_not_issue(staff: dict[str, Any], who: str, error: type[DomainError]) -> None:
    with pytest.raises(error):
        issue(staff, actor=who)


def test_revoke_records_reason_and_audit(staff: dict[str, Any]) -> None:
    certificate = issue(staff)
    later = T0 + timedelta(hours=3)
    do_revoke_certificate(certificate, actor=staff["hq_approver"], now=later, reason="申请人隐瞒有关情况")
    certificate.refresh_from_db()
    assert certificate.revoked_at == later and certificate.revoke_reason == "申请人隐瞒有关情况"
    assert certificate.revoked_by == staff["hq_approver"]
    assert certificate.status_at(later) == CertificateStatus.REVOKED
    assert certificate.status_at(T0) == CertificateStatus.VALID
    audit = AuditEvent.objects.get(action="licences.certificate_revoked")
    assert audit.after == {"revoked_at": later.isoformat(), "reason": "申请人隐瞒有关情况"}


def test_a_revoked_certificate_pdf_carries_the_mark(staff: dict[str, Any]) -> None:
    certificate = issue(staff)
    assert "已撤销" not in pdf_text(certificate_pdf(certificate)).replace(" ", "")
    do_revoke_certificate(certificate, actor=staff["hq_approver"], now=T0, reason="申请人隐瞒有关情况")
    certificate.refresh_from_db()
    text = pdf_text(certificate_pdf(certificate)).replace(" ", "").replace("\n", "")
    assert "已撤销" in text and "申请人隐瞒有关情况" in text and "王小明" in text
    # The document as issued is still the one on record.
    assert content_hash(certificate_pdf(certificate, as_issued=True)) == certificate.pdf_hash


def test_revoke_twice_conflicts(staff: dict[str, Any]) -> None:
    certificate = issue(staff)
    do_revoke_certificate(certificate, actor=staff["hq_clerk"], now=T0, reason="错误颁发")
    with pytest.raises(DomainError) as caught:
        do_revoke_certificate(certificate, actor=staff["hq_clerk"], now=T0, reason="错误颁发")
    assert (caught.value.code, caught.value.status) == ("already_revoked", 409)


def test_revoke_needs_a_reason(staff: dict[str, Any]) -> None:
    certificate = issue(staff)
    with pytest.raises(DomainError) as caught:
        do_revoke_certificate(certificate, actor=staff["hq_clerk"], now=T0, reason="  ")
    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")


@pytest.mark.parametrize(
    ("who", "status"),
    [("hq_agency", 403), ("hq_officer", 403), ("dispatcher", 403), ("wt_clerk", 404), ("wt_grid", 404)],
)
def test_who_may_not_revoke(staff: dict[str, Any], who: str, status: int) -> None:
    certificate = issue(staff)
    with pytest.raises(DomainError) as caught:
        do_revoke_certificate(certificate, actor=staff[who], now=T0, reason="错误颁发")
    assert caught.value.status == status
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_a_leader_above_may_revoke(staff: dict[str, Any]) -> None:
    certificate = issue(staff)
    do_revoke_certificate(certificate, actor=staff["hq_leader"], now=T0, reason="错误颁发")
    assert certificate.revoked_at == T0


def test_certificates_for_subject(staff: dict[str, Any]) -> None:
    from licences.selectors import certificates_for_subject

    certificate = issue(staff, subject_id="42")
    issue(staff, subject_id="43")
    assert list(certificates_for_subject("approvals.application", "42")) == [certificate]
    assert not certificates_for_subject("approvals.application", "44").exists()


def test_the_public_verification_masks_registered_names_but_not_a_legal_holders(
    staff: dict[str, Any], personas: dict[str, Any]
) -> None:
    register_named_person("李建国", actor=personas["system"], now=T0)
    legal = issue(
        staff,
        holder_name="苏州李建国餐饮有限公司",
        holder_kind="legal",
        holder_number="12441500196720244T",
        title="准予行政许可决定书（苏州李建国餐饮有限公司，经办人李建国）",
    )
    body = Client().get(f"/api/v1/licences/certificates/{legal.identifier}/").json()
    assert body["holder_name"] == "苏州李建国餐饮有限公司"
    assert body["title"] == "准予行政许可决定书（苏州李建国餐饮有限公司，经办人李**）"
    page = Client().get(f"/verify/{legal.identifier}/").content.decode()
    assert "经办人李**" in page and "经办人李建国" not in page
