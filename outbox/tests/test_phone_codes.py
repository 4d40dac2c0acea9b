"""Phone verification codes: sending (format, limits, outbox SMS) and confirming (wrong, expired, reuse,
attempts)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from audit.models import AuditEvent
from core.errors import DomainError
from core.pii import decrypt, lookup_hash
from outbox.models import OutboxMessage, PhoneChallenge
from outbox.phone_codes import do_confirm_phone_code, do_send_phone_code

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PHONE = "13912345678"
PURPOSE = "selfservice"


def sent_code(phone: str = PHONE) -> str:
    message = OutboxMessage.objects.filter(address=phone, kind="phone_code").order_by("-id").first()
    assert message is not None
    match = re.search(r"验证码为(\d{6})", message.body)
    assert match, message.body
    return match.group(1)


def test_send_stores_hashes_only_and_queues_the_sms() -> None:
    challenge = do_send_phone_code(phone="139 1234 5678", purpose=PURPOSE, now=T0)
    message = OutboxMessage.objects.get(kind="phone_code")
    assert message.channel == OutboxMessage.Channel.SMS
    assert message.address == PHONE
    code = sent_code()
    assert challenge.expires_at == T0 + timedelta(minutes=5)
    assert challenge.phone_hash == lookup_hash(PHONE)
    assert decrypt(challenge.phone_encrypted) == PHONE
    assert code not in challenge.code_hash and PHONE not in challenge.phone_encrypted
    audit = AuditEvent.objects.get(action="licences.phone_code_sent")
    assert PHONE not in str(audit.after) and code not in str(audit.after)


@pytest.mark.parametrize("phone", ["", "12345678901", "1391234567", "139123456789", "abc", "23912345678"])
def test_send_refuses_a_bad_phone(phone: str) -> None:
    with pytest.raises(DomainError) as caught:
        do_send_phone_code(phone=phone, purpose=PURPOSE, now=T0)
    assert (caught.value.code, caught.value.field) == ("invalid_phone", "phone")
    assert not PhoneChallenge.objects.exists()


def test_plus86_prefix_is_accepted() -> None:
    do_send_phone_code(phone="+86 13912345678", purpose=PURPOSE, now=T0)
    assert OutboxMessage.objects.get().address == PHONE


def test_one_send_per_minute_per_phone_and_purpose() -> None:
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0)
    with pytest.raises(DomainError) as caught:
        do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0 + timedelta(seconds=59))
    assert caught.value.code == "too_many_codes" and caught.value.status == 429
    # Another purpose or another phone is not limited by it.
    do_send_phone_code(phone=PHONE, purpose="approvals", now=T0 + timedelta(seconds=10))
    do_send_phone_code(phone="13800138000", purpose=PURPOSE, now=T0 + timedelta(seconds=10))
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0 + timedelta(seconds=60))
    assert PhoneChallenge.objects.count() == 4


def test_at_most_ten_sends_an_hour() -> None:
    for i in range(10):
        do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0 + timedelta(minutes=5 * i))
    with pytest.raises(DomainError) as caught:
        do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0 + timedelta(minutes=50))
    assert caught.value.code == "too_many_codes"
    # An hour after the first send, the window has room again.
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0 + timedelta(minutes=60, seconds=1))
    assert PhoneChallenge.objects.count() == 11


def test_confirm_accepts_the_code_once() -> None:
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0)
    code = sent_code()
    do_confirm_phone_code(phone=PHONE, code=code, purpose=PURPOSE, now=T0 + timedelta(minutes=4))
    challenge = PhoneChallenge.objects.get()
    assert challenge.confirmed_at == T0 + timedelta(minutes=4)
    with pytest.raises(DomainError) as caught:
        do_confirm_phone_code(phone=PHONE, code=code, purpose=PURPOSE, now=T0 + timedelta(minutes=4))
    assert caught.value.code == "code_expired"


def test_wrong_code_counts_attempts_and_five_use_it_up() -> None:
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0)
    code = sent_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(DomainError) as caught:
            do_confirm_phone_code(phone=PHONE, code=wrong, purpose=PURPOSE, now=T0)
        assert (caught.value.code, caught.value.field) == ("wrong_code", "code")
    assert PhoneChallenge.objects.get().attempts == 5
    with pytest.raises(DomainError) as caught:
        do_confirm_phone_code(phone=PHONE, code=code, purpose=PURPOSE, now=T0)
    assert caught.value.code == "too_many_attempts"


def test_expired_code_is_refused() -> None:
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0)
    with pytest.raises(DomainError) as caught:
        do_confirm_phone_code(phone=PHONE, code=sent_code(), purpose=PURPOSE, now=T0 + timedelta(minutes=5))
    assert caught.value.code == "code_expired"


def test_code_for_another_purpose_or_phone_is_refused() -> None:
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0)
    code = sent_code()
    with pytest.raises(DomainError) as caught:
        do_confirm_phone_code(phone=PHONE, code=code, purpose="approvals", now=T0)
    assert caught.value.code == "code_expired"
    with pytest.raises(DomainError) as caught:
        do_confirm_phone_code(phone="13800138000", code=code, purpose=PURPOSE, now=T0)
    assert caught.value.code == "code_expired"


def test_only_the_latest_code_counts() -> None:
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0)
    first = sent_code()
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0 + timedelta(minutes=1))
    second = sent_code()
    if first != second:
        with pytest.raises(DomainError):
            do_confirm_phone_code(phone=PHONE, code=first, purpose=PURPOSE, now=T0 + timedelta(minutes=1))
    do_confirm_phone_code(phone=PHONE, code=second, purpose=PURPOSE, now=T0 + timedelta(minutes=1))


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
def test_malformed_code_is_refused_without_an_attempt(code: str) -> None:
    do_send_phone_code(phone=PHONE, purpose=PURPOSE, now=T0)
    with pytest.raises(DomainError) as caught:
        do_confirm_phone_code(phone=PHONE, code=code, purpose=PURPOSE, now=T0)
    assert (caught.value.code, caught.value.field) == ("wrong_code", "code")
    assert PhoneChallenge.objects.get().attempts == 0


def test_confirm_refuses_a_bad_phone() -> None:
    with pytest.raises(DomainError) as caught:
        do_confirm_phone_code(phone="12", code="123456", purpose=PURPOSE, now=T0)
    assert caught.value.field == "phone"
