from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from core.errors import Conflict, PermissionRefused
from notifications import delivery
from notifications.actions import do_requeue_message
from notifications.tests.conftest import make_message
from notifications.tests.support import RecordingTransport
from notifications.transports import TransportError
from outbox.models import OutboxMessage

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=3)
pytestmark = pytest.mark.django_db


def dead_letter(recorder: RecordingTransport, kind: str = "test.notice") -> OutboxMessage:
    recorder.failures.append(TransportError(False, "number rejected"))
    message = make_message(now=NOW, payload={"territory_code": "320507003"}, kind=kind)
    assert delivery.deliver_due(now=NOW).dead == [message.pk]
    message.refresh_from_db()
    return message


@pytest.fixture
def operator() -> User:
    return User.objects.create_superuser(username="ops", password="pw-ops-123456")


def test_requeue_writes_an_audit_row_and_redelivers(recorder: RecordingTransport, operator: User) -> None:
    message = dead_letter(recorder)

    do_requeue_message(message, actor=operator, now=LATER)

    message.refresh_from_db()
    assert (message.state, message.attempts, message.next_attempt_at) == (
        OutboxMessage.State.PENDING,
        0,
        LATER,
    )
    event = AuditEvent.objects.get(action="notifications.requeue_message")
    assert event.actor_id == operator.pk
    assert (event.subject_type, event.subject_id) == ("outbox.outboxmessage", str(message.pk))
    assert event.territory_code == "320507003"
    assert event.before is not None and event.before["state"] == "dead"
    assert event.after is not None and event.after["state"] == "pending"
    assert event.occurred_at == LATER

    assert delivery.deliver_due(now=LATER).sent == [message.pk]


def test_requeue_refused_without_permission(recorder: RecordingTransport) -> None:
    message = dead_letter(recorder)
    clerk = User.objects.create_user(username="clerk", password=None, is_staff=True)

    with pytest.raises(PermissionRefused):
        do_requeue_message(message, actor=clerk, now=LATER)

    clerk.user_permissions.add(Permission.objects.get(codename="change_outboxmessage"))
    clerk = User.objects.get(pk=clerk.pk)  # drop the permission cache
    do_requeue_message(message, actor=clerk, now=LATER)
    assert AuditEvent.objects.filter(action="notifications.requeue_message").count() == 1


def test_only_dead_letters_are_requeued(recorder: RecordingTransport, operator: User) -> None:
    message = make_message(now=NOW)
    with pytest.raises(Conflict):
        do_requeue_message(message, actor=operator, now=LATER)
    assert not AuditEvent.objects.filter(action="notifications.requeue_message").exists()


def test_admin_changelist_shows_dead_letters(
    recorder: RecordingTransport, operator: User, client: Client
) -> None:
    dead = dead_letter(recorder, kind="grid.dispatched")
    make_message(now=NOW, kind="grid.pending_one")
    client.force_login(operator)

    response = client.get("/admin/outbox/outboxmessage/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "死信 1 条" in content
    assert "grid.pending_one" in content

    only_dead = client.get("/admin/outbox/outboxmessage/", {"dead_letter": "yes"})
    assert [m.pk for m in only_dead.context["cl"].result_list] == [dead.pk]
    assert "仅死信（1）" in only_dead.content.decode()

    assert client.get(f"/admin/outbox/outboxmessage/{dead.pk}/change/").status_code == 200


def test_admin_requeue_action(recorder: RecordingTransport, operator: User, client: Client) -> None:
    dead = dead_letter(recorder)
    pending = make_message(now=NOW)
    client.force_login(operator)

    response = client.post(
        "/admin/outbox/outboxmessage/",
        {"action": "requeue", "_selected_action": [dead.pk, pending.pk]},
        follow=True,
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "已重新发送 1 条消息" in content
    assert f"#{pending.pk}" in content
    dead.refresh_from_db()
    assert dead.state == OutboxMessage.State.PENDING
    assert (
        AuditEvent.objects.filter(action="notifications.requeue_message", actor_id=operator.pk).count() == 1
    )


def test_admin_is_closed_to_non_staff(client: Client) -> None:
    user = User.objects.create_user(username="resident", password="pw-resident-1")
    client.force_login(user)
    response = client.get("/admin/outbox/outboxmessage/")
    assert response.status_code == 302
