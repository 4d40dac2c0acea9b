from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail

from accounts.models import User
from notifications import delivery
from notifications.tests.conftest import make_message
from notifications.transports import EmailTransport, TransportError, message_id_domain
from outbox.models import OutboxMessage

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def test_email_to_the_recipients_address() -> None:
    user = User.objects.create_user(username="li", email="li@example.org", password=None)
    message = make_message(
        now=NOW, channel=OutboxMessage.Channel.EMAIL, address="", recipient=user, subject="督办"
    )

    assert delivery.deliver_due(now=NOW).sent == [message.pk]

    [email] = mail.outbox
    assert email.to == ["li@example.org"]
    assert (email.subject, email.body) == ("督办", "您有一条新工单")


def test_redelivered_email_keeps_its_message_id() -> None:
    message = make_message(now=NOW, channel=OutboxMessage.Channel.EMAIL, address="resident@example.org")
    assert delivery.claim_message(message.pk, attempts=0, next_attempt_at=NOW, now=NOW)
    EmailTransport().send(OutboxMessage.objects.get(pk=message.pk))  # the worker dies after this
    assert delivery.deliver_due(now=NOW + delivery.claim_lease()).sent == [message.pk]
    first, second = (m.message()["Message-ID"] for m in mail.outbox)
    assert first == second == f"<zhili-outbox-{message.pk}-{int(NOW.timestamp())}@{message_id_domain()}>"


def test_explicit_address_wins() -> None:
    make_message(now=NOW, channel=OutboxMessage.Channel.EMAIL, address="resident@example.org")
    delivery.deliver_due(now=NOW)
    assert mail.outbox[0].to == ["resident@example.org"]


def test_no_address_is_a_dead_letter() -> None:
    user = User.objects.create_user(username="noemail", password=None)
    message = make_message(now=NOW, channel=OutboxMessage.Channel.EMAIL, address="", recipient=user)

    assert delivery.deliver_due(now=NOW).dead == [message.pk]
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")}), False),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPDataError(451, b"try later"), True),
        (ConnectionRefusedError("refused"), True),
    ],
)
def test_smtp_errors(monkeypatch: pytest.MonkeyPatch, error: Exception, retryable: bool) -> None:
    def failing_send(*args: object, **kwargs: object) -> int:
        raise error

    monkeypatch.setattr("notifications.transports.EmailMessage.send", failing_send)
    with pytest.raises(TransportError) as caught:
        EmailTransport().send(OutboxMessage(pk=1, address="x@example.org", body="x", kind="k"))
    assert caught.value.retryable is retryable


def test_attachments_named_in_the_payload_are_read_from_storage(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("reports/monthly.pdf", ContentFile(b"%PDF-1.7 report"))
    attachment = {"storage_name": name, "filename": "黄桥街道月报.pdf", "content_type": "application/pdf"}
    message = make_message(
        now=NOW,
        channel=OutboxMessage.Channel.EMAIL,
        address="leader@example.org",
        payload={"attachments": [attachment]},
    )
    missing = make_message(
        now=NOW,
        channel=OutboxMessage.Channel.EMAIL,
        address="leader@example.org",
        payload={"attachments": [{**attachment, "storage_name": "reports/gone.pdf"}]},
    )

    report = delivery.deliver_due(now=NOW)

    assert report.sent == [message.pk] and report.dead == [missing.pk]
    [email] = mail.outbox
    assert email.attachments == [("黄桥街道月报.pdf", b"%PDF-1.7 report", "application/pdf")]
