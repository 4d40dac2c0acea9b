"""The applicant: identity checks (GB 11643 / GB 32100, a mainland mobile), receipt numbers, SMS notices."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from stdnum.cn import uscc

from approvals.actions.common import _chunks
from approvals.models import ApplicantKind, Application
from core import pii
from core.errors import Conflict, DomainError
from core.idnumbers import is_valid_citizen_id
from outbox.actions import enqueue
from outbox.models import OutboxMessage


@dataclass(frozen=True)
class ApplicantInput:
    kind: str
    name: str
    number: str
    phone: str


@dataclass(frozen=True)
class CleanApplicant:
    kind: str
    name: str
    number: str
    phone: str


def clean_applicant(applicant: ApplicantInput, *, phone_required: bool = True) -> CleanApplicant:
    """Validate the applicant: citizen ID (GB 11643) for a natural person, credit code (GB 32100) for a
    legal person, a mainland mobile number."""
    if applicant.kind not in ApplicantKind.values:
        raise DomainError("invalid", "申请人类型应为自然人或法人。", field="applicant_kind")
    name = (applicant.name or "").strip()
    if not name or len(name) > 100:
        raise DomainError("required", "请填写申请人姓名或单位名称（不超过100字）。", field="applicant_name")
    number = (applicant.number or "").strip().upper()
    if applicant.kind == ApplicantKind.NATURAL:
        if not is_valid_citizen_id(number):
            raise DomainError("invalid", "公民身份号码无效（GB 11643 校验失败）。", field="applicant_number")
    elif not uscc.is_valid(number):
        raise DomainError("invalid", "统一社会信用代码无效（GB 32100 校验失败）。", field="applicant_number")
    phone = "".join(ch for ch in (applicant.phone or "") if ch.isdigit())
    if phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if phone and not pii.MAINLAND_MOBILE.fullmatch(phone):
        raise DomainError("invalid_phone", "请输入正确的11位手机号码。", field="applicant_phone")
    if phone_required and not phone:
        raise DomainError("required", "请填写申请人手机号码（用于短信告知和查询）。", field="applicant_phone")
    return CleanApplicant(kind=applicant.kind, name=name, number=number, phone=phone)


def _mask_number(kind: str, number: str) -> str:
    if kind == ApplicantKind.NATURAL:
        return pii.mask_id_number(number)
    return number  # a credit code is public (营业执照), shown as is


def new_receipt_no(now: datetime) -> str:
    """SP + local date + 8 random digits: unique, not guessable in sequence."""
    from django.utils import timezone

    day = timezone.localtime(now).strftime("%Y%m%d")
    return f"SP{day}{secrets.randbelow(10**8):08d}"


def _unique_receipt_no(now: datetime) -> str:
    for _attempt in range(10):
        number = new_receipt_no(now)
        if not Application.objects.filter(receipt_no=number).exists():
            return number
    raise Conflict("receipt_collision", "受理编号生成冲突，请重试。")


def _draw_receipts(count: int, now: datetime) -> list[str]:
    """`count` receipt numbers unused so far and distinct from each other; collisions (rare: 8 random
    digits a day) are drawn again."""
    numbers: list[str] = []
    taken: set[str] = set()
    for _attempt in range(10):
        fresh = {new_receipt_no(now) for _ in range(count - len(numbers))} - taken
        used: set[str] = set()
        for chunk in _chunks(sorted(fresh)):
            used.update(Application.objects.filter(receipt_no__in=chunk).values_list("receipt_no", flat=True))
        taken |= fresh
        numbers += sorted(fresh - used)
        if len(numbers) == count:
            return numbers
    raise Conflict("receipt_collision", "受理编号生成冲突，请重试。")


def notify_applicant(application: Application, *, kind: str, body: str, now: datetime) -> int:
    """Tell the applicant by SMS (the outbox row carries the number, as the gateway needs it) and, when
    they have an account, on the console channel."""
    sent = 0
    subject = f"[{application.receipt_no}] {application.item_version.name}"
    payload = {"application": application.pk, "receipt_no": application.receipt_no}
    if application.applicant_phone_enc:
        enqueue(
            channel=OutboxMessage.Channel.SMS,
            kind=kind,
            address=pii.decrypt(application.applicant_phone_enc),
            subject=subject,
            body=f"【相城政务服务】{body}（受理编号 {application.receipt_no}）",
            now=now,
            payload=payload,
        )
        sent += 1
    if application.applicant_user is not None:
        enqueue(
            channel=OutboxMessage.Channel.CONSOLE,
            kind=kind,
            recipient=application.applicant_user,
            subject=subject,
            body=body,
            now=now,
            payload=payload,
        )
        sent += 1
    return sent
