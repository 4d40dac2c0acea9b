"""The SMS gateway adapter against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from notifications import delivery, transports
from notifications.tests.conftest import make_message
from notifications.transports import SmsGatewayTransport, TransportError
from outbox.models import OutboxMessage

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@dataclass
class Gateway:
    url: str
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.requests.append(
                {
                    "path": self.path,
                    "json": json.loads(self.rfile.read(length)),
                    "content_type": self.headers["Content-Type"],
                    "authorization": self.headers.get("Authorization"),
                    "idempotency_key": self.headers.get("Idempotency-Key"),
                }
            )
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"detail": "from the test gateway"}')

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def sms_settings(settings: Any, gateway: Gateway) -> Gateway:
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_TOKEN = "s3cret"
    settings.SMS_GATEWAY_TIMEOUT = 2
    return gateway


@pytest.mark.django_db
def test_posts_json_with_bearer_token_and_marks_sent(sms_settings: Gateway) -> None:
    message = make_message(now=NOW, channel=OutboxMessage.Channel.SMS, address="13912345678")

    assert delivery.deliver_due(now=NOW).sent == [message.pk]

    [request] = sms_settings.requests
    assert request["path"] == "/sms/send"
    key = f"zhili-outbox-{message.pk}-{int(NOW.timestamp())}"
    assert request["json"] == {
        "phone": "13912345678",
        "text": "您有一条新工单",
        "id": message.pk,
        "request_id": key,
    }
    assert request["idempotency_key"] == key
    assert request["content_type"].startswith("application/json")
    assert request["authorization"] == "Bearer s3cret"
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT


@pytest.mark.django_db
def test_redelivery_after_a_worker_died_mid_send_carries_the_same_request_id(sms_settings: Gateway) -> None:
    message = make_message(now=NOW, channel=OutboxMessage.Channel.SMS, address="13912345678")
    # A worker claims the row and sends, then dies before recording the outcome.
    assert delivery.claim_message(message.pk, attempts=0, next_attempt_at=NOW, now=NOW)
    transports.transport_for(OutboxMessage.Channel.SMS).send(OutboxMessage.objects.get(pk=message.pk))
    # After the lease another worker sends it again.
    assert delivery.deliver_due(now=NOW + delivery.claim_lease()).sent == [message.pk]
    first, second = sms_settings.requests
    assert first["json"]["request_id"] == second["json"]["request_id"] == first["idempotency_key"]
    assert second["idempotency_key"] == first["idempotency_key"]
    # What the gateway (or the fault test) counts: two sends, one message.
    keys = [r["idempotency_key"] for r in sms_settings.requests]
    assert (len(keys), len(set(keys))) == (2, 1)
    other = make_message(now=NOW, channel=OutboxMessage.Channel.SMS, address="13912345678")
    assert transports.delivery_key(other) != first["idempotency_key"]


@pytest.mark.django_db
def test_gateway_400_is_a_dead_letter_at_once(sms_settings: Gateway) -> None:
    sms_settings.status = 400
    message = make_message(now=NOW, channel=OutboxMessage.Channel.SMS)

    assert delivery.deliver_due(now=NOW).dead == [message.pk]

    message.refresh_from_db()
    assert message.attempts == 1
    assert "HTTP 400" in message.last_error
    assert "from the test gateway" in message.last_error


@pytest.mark.django_db
def test_gateway_503_is_retried(sms_settings: Gateway) -> None:
    sms_settings.status = 503
    message = make_message(now=NOW, channel=OutboxMessage.Channel.SMS)

    assert delivery.deliver_due(now=NOW).retried == [message.pk]

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert "HTTP 503" in message.last_error
    sms_settings.status = 200
    assert delivery.deliver_due(now=message.next_attempt_at).sent == [message.pk]
    assert len(sms_settings.requests) == 2


@pytest.mark.parametrize(("status", "retryable"), [(201, None), (404, False), (429, True), (500, True)])
def test_status_codes(gateway: Gateway, status: int, retryable: bool | None) -> None:
    gateway.status = status
    message = OutboxMessage(pk=7, address="13912345678", body="hi")
    transport = SmsGatewayTransport(gateway.url, timeout=2)
    if retryable is None:
        transport.send(message)
        assert gateway.requests[0]["authorization"] is None
    else:
        with pytest.raises(TransportError) as caught:
            transport.send(message)
        assert caught.value.retryable is retryable


def test_timeout_is_retryable() -> None:
    # A server that accepts connections but never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        with pytest.raises(TransportError) as caught:
            SmsGatewayTransport(url, timeout=0.2).send(OutboxMessage(pk=1, address="139", body="hi"))
    assert caught.value.retryable


def test_connection_refused_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError) as caught:
        SmsGatewayTransport(f"http://127.0.0.1:{port}/", timeout=1).send(
            OutboxMessage(pk=1, address="139", body="x")
        )
    assert caught.value.retryable


def test_no_phone_number_is_permanent(gateway: Gateway) -> None:
    with pytest.raises(TransportError) as caught:
        SmsGatewayTransport(gateway.url).send(OutboxMessage(pk=1, address="", body="x"))
    assert not caught.value.retryable
    assert gateway.requests == []


def test_only_http_urls() -> None:
    with pytest.raises(ValueError, match="http"):
        SmsGatewayTransport("file:///etc/passwd")
