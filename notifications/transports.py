"""Transports deliver one outbox message over one channel: console/log, e-mail, an SMS gateway over HTTP.
A transport never touches the outbox row's state; it sends or raises `TransportError`.

Delivery is at least once (notifications.delivery), so every send carries the message's stable
delivery key — the same on every attempt — for the receiver to recognise a redelivery: the SMS
gateway's request id (`request_id` field and `Idempotency-Key` header), the e-mail's Message-ID."""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from core.env import env_int, env_str
from outbox.models import OutboxMessage

logger = logging.getLogger("zhili.notifications")


class TransportError(Exception):
    """A failed send. `retryable` says whether trying again later may succeed (a timeout, a 5xx) or
    not (a rejected number, a channel that is not configured)."""

    def __init__(self, retryable: bool, detail: str):
        super().__init__(detail)
        self.retryable = retryable
        self.detail = detail


def delivery_key(message: OutboxMessage) -> str:
    """Derived from the row alone, so a redelivery after a worker died mid-send repeats it. The
    creation time keeps keys apart if a database is rebuilt and its ids start over."""
    created = int(message.created_at.timestamp()) if message.created_at else 0
    return f"zhili-outbox-{message.pk}-{created}"


def message_id_domain() -> str:
    sender = str(settings.DEFAULT_FROM_EMAIL)
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else ""
    return domain or "zhili.invalid"


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class ConsoleTransport:
    """Development and demo: the message goes to the log."""

    def send(self, message: OutboxMessage) -> None:
        logger.info(
            "notification #%s [%s] to %s: %s %s",
            message.pk,
            message.kind,
            message.address or f"user:{message.recipient_id}",
            message.subject,
            message.body,
        )


def _attach_files(email: EmailMessage, message: OutboxMessage) -> None:
    """Files named in `payload["attachments"]` (`storage_name`, `filename`, `content_type`), read from the
    default storage at send time: the outbox row carries the reference, not the bytes."""
    for spec in (message.payload or {}).get("attachments", []):
        try:
            with default_storage.open(spec["storage_name"], "rb") as handle:
                data = handle.read()
        except (OSError, KeyError) as exc:
            raise TransportError(False, f"attachment missing / 附件不存在: {exc}") from exc
        email.attach(
            spec.get("filename") or spec["storage_name"].rsplit("/", 1)[-1], data, spec.get("content_type")
        )


class EmailTransport:
    """Through Django's configured e-mail backend (SMTP in production)."""

    def send(self, message: OutboxMessage) -> None:
        address = message.address or (message.recipient.email if message.recipient else "")
        if not address or "@" not in address:
            raise TransportError(False, "no e-mail address for the recipient / 接收人没有电子邮件地址")
        email = EmailMessage(
            message.subject or message.kind,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            headers={"Message-ID": f"<{delivery_key(message)}@{message_id_domain()}>"},
        )
        _attach_files(email, message)
        try:
            email.send(fail_silently=False)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise TransportError(False, f"SMTP refused: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx replies are permanent, 4xx are transient (RFC 5321 §4.2.1).
            raise TransportError(exc.smtp_code < 500, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(True, f"SMTP error: {exc}") from exc


class SmsGatewayTransport:
    """POSTs `{"phone", "text", "id", "request_id"}` as JSON (and the request id as `Idempotency-Key`) to an
    HTTP SMS gateway. 2xx = sent; 4xx = the gateway refused
    this message for good (except 408/429); 5xx, timeouts and connection errors may pass on a retry."""

    def __init__(self, url: str, *, token: str = "", timeout: float = 10.0):
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"SMS gateway URL must be http(s), got {url!r}")
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, message: OutboxMessage) -> None:
        phone = message.address.strip()
        if not phone:
            raise TransportError(False, "no phone number for the recipient / 接收人没有手机号码")
        key = delivery_key(message)
        body = json.dumps(
            {"phone": phone, "text": message.body, "id": message.pk, "request_id": key}, ensure_ascii=False
        )
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": key,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked)
                response.read()
        except urllib.error.HTTPError as exc:
            detail = f"SMS gateway HTTP {exc.code}: {_read_error_body(exc)}"
            retryable = exc.code >= 500 or exc.code in (408, 429)
            raise TransportError(retryable, detail) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise TransportError(True, f"SMS gateway unreachable: {exc}") from exc


def _read_error_body(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(500).decode("utf-8", "replace")
    except OSError:
        return ""


class UnconfiguredTransport:
    """Stands for a channel that has no working transport: every send fails for good, saying why."""

    def __init__(self, reason: str):
        self.reason = reason

    def send(self, message: OutboxMessage) -> None:
        raise TransportError(False, self.reason)


def sms_gateway_settings() -> tuple[str, str, float]:
    url = getattr(settings, "SMS_GATEWAY_URL", "") or env_str("SMS_GATEWAY_URL", "")
    token = getattr(settings, "SMS_GATEWAY_TOKEN", env_str("SMS_GATEWAY_TOKEN", ""))
    timeout = float(getattr(settings, "SMS_GATEWAY_TIMEOUT", env_int("SMS_GATEWAY_TIMEOUT", 10)))
    return url, token, timeout


def _default_transport(channel: str) -> Transport:
    if channel == OutboxMessage.Channel.CONSOLE:
        return ConsoleTransport()
    if channel == OutboxMessage.Channel.EMAIL:
        return EmailTransport()
    if channel == OutboxMessage.Channel.SMS:
        url, token, timeout = sms_gateway_settings()
        if not url:
            return UnconfiguredTransport("SMS gateway not configured (SMS_GATEWAY_URL) / 未配置短信网关")
        return SmsGatewayTransport(url, token=token, timeout=timeout)
    return UnconfiguredTransport(f"unknown channel {channel!r} / 未知的发送渠道")


def transport_for(channel: str) -> Transport:
    """The transport of a channel. `NOTIFICATION_TRANSPORTS` (channel → dotted path of a zero-argument
    callable returning a transport) replaces the built-in choice for the channels it names."""
    overrides: dict[str, str] = getattr(settings, "NOTIFICATION_TRANSPORTS", {}) or {}
    if channel in overrides:
        factory = import_string(overrides[channel])
        transport: Transport = factory()
        return transport
    return _default_transport(channel)
