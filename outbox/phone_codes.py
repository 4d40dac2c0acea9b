"""Phone verification codes (短信验证码) for residents who have no account: send a 6-digit code by SMS
through the outbox, then confirm it. Only keyed hashes of the code and the phone are stored.

Limits: a code lives 5 minutes and allows 5 attempts; one send per phone and purpose every 60 s and at most
10 per hour; a confirmed code cannot be used again."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction

from audit.actions import record_event
from core.errors import DomainError
from core.pii import MAINLAND_MOBILE, encrypt, lookup_hash
from outbox.actions import enqueue
from outbox.models import OutboxMessage, PhoneChallenge

CODE_LIFETIME = timedelta(minutes=5)
RESEND_INTERVAL = timedelta(seconds=60)
SENDS_PER_HOUR = 10
MAX_ATTEMPTS = 5
SMS_KIND = "phone_code"
MAX_PURPOSE_LENGTH = 40


def normalize_phone(phone: str) -> str:
    """The bare 11-digit mobile number: blanks, dashes and a +86 / 86 prefix removed. Raises
    DomainError("invalid_phone", field="phone") when it is not a mainland mobile number."""
    digits = "".join(ch for ch in (phone or "") if not ch.isspace() and ch != "-")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not MAINLAND_MOBILE.fullmatch(digits):
        raise DomainError("invalid_phone", "请输入正确的11位手机号码。", field="phone")
    return digits


def _check_purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > MAX_PURPOSE_LENGTH:
        raise DomainError("invalid_purpose", "验证码用途无效。", field="purpose")
    return purpose


def _code_hash(salt: str, code: str) -> str:
    return lookup_hash(f"phone-code:{salt}:{code}")


def do_send_phone_code(*, phone: str, purpose: str, now: datetime) -> PhoneChallenge:
    """Create a challenge and queue the SMS carrying its code (channel sms, kind "phone_code")."""
    number = normalize_phone(phone)
    purpose = _check_purpose(purpose)
    phone_hash = lookup_hash(number)
    with transaction.atomic():
        recent = PhoneChallenge.objects.filter(
            phone_hash=phone_hash, purpose=purpose, created_at__gt=now - timedelta(hours=1)
        ).values_list("created_at", flat=True)
        sent = list(recent)
        if any(at > now - RESEND_INTERVAL for at in sent):
            raise DomainError(
                "too_many_codes", "验证码发送过于频繁，请60秒后再试。", field="phone", status=429
            )
        if len(sent) >= SENDS_PER_HOUR:
            raise DomainError(
                "too_many_codes", "该号码一小时内获取验证码次数过多，请稍后再试。", field="phone", status=429
            )
        code = f"{secrets.randbelow(1_000_000):06d}"
        salt = secrets.token_hex(8)
        challenge = PhoneChallenge.objects.create(
            purpose=purpose,
            phone_hash=phone_hash,
            phone_encrypted=encrypt(number),
            code_salt=salt,
            code_hash=_code_hash(salt, code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        minutes = int(CODE_LIFETIME.total_seconds() // 60)
        enqueue(
            channel=OutboxMessage.Channel.SMS,
            kind=SMS_KIND,
            address=number,
            body=f"【治理】您的验证码为{code}，{minutes}分钟内有效，请勿告诉他人。",
            now=now,
            payload={"purpose": purpose, "challenge": challenge.pk},
        )
        record_event(
            actor=None,
            action="licences.phone_code_sent",
            subject=challenge,
            after={"purpose": purpose, "expires_at": challenge.expires_at.isoformat()},
            now=now,
        )
    return challenge


def do_confirm_phone_code(*, phone: str, code: str, purpose: str, now: datetime) -> None:
    """Accept the latest unconfirmed code sent to `phone` for `purpose`, or raise:
    "wrong_code" (field "code"), "code_expired" (none live, expired or already used) or
    "too_many_attempts" (5 wrong tries used up the code)."""
    number = normalize_phone(phone)
    purpose = _check_purpose(purpose)
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        raise DomainError("wrong_code", "请输入短信中的6位验证码。", field="code")
    refusal: DomainError | None = None
    with transaction.atomic():
        challenge = (
            PhoneChallenge.objects.select_for_update()
            .filter(phone_hash=lookup_hash(number), purpose=purpose)
            .order_by("-created_at", "-id")
            .first()
        )
        if challenge is None or challenge.confirmed_at is not None or challenge.expires_at <= now:
            raise DomainError("code_expired", "验证码已失效，请重新获取。", field="code")
        if challenge.attempts >= MAX_ATTEMPTS:
            raise DomainError(
                "too_many_attempts", "验证码错误次数过多，请重新获取。", field="code", status=429
            )
        challenge.attempts += 1
        if secrets.compare_digest(challenge.code_hash, _code_hash(challenge.code_salt, code)):
            challenge.confirmed_at = now
            record_event(
                actor=None,
                action="licences.phone_code_confirmed",
                subject=challenge,
                after={"purpose": purpose},
                now=now,
            )
        else:
            left = MAX_ATTEMPTS - challenge.attempts
            refusal = DomainError(
                "wrong_code",
                f"验证码不正确，还可尝试{left}次。" if left else "验证码不正确，请重新获取。",
                field="code",
            )
        challenge.save(update_fields=["attempts", "confirmed_at"])
    # Raised after the commit so the attempt is counted.
    if refusal is not None:
        raise refusal
