"""Writes of the notifications app. Operators requeue dead letters; delivery itself lives in `delivery`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event
from core.errors import Conflict, NotFound, PermissionRefused
from notifications import delivery
from notifications.tasks import schedule_delivery
from outbox.models import OutboxMessage


def _snapshot(message: OutboxMessage) -> dict[str, Any]:
    return {
        "state": message.state,
        "attempts": message.attempts,
        "next_attempt_at": message.next_attempt_at.isoformat(),
        "last_error": message.last_error,
    }


def _territory_code(message: OutboxMessage) -> str:
    payload = message.payload
    return str(payload.get("territory_code", "")) if isinstance(payload, dict) else ""


def do_requeue_message(message: OutboxMessage, *, actor: Any, now: datetime | None = None) -> OutboxMessage:
    """Send a dead letter again: back to pending, due now, with a fresh attempt budget. Audited; delivery
    is queued after commit."""
    now = now or timezone.now()
    if not (getattr(actor, "is_active", False) and actor.has_perm("outbox.change_outboxmessage")):
        raise PermissionRefused("not_allowed", _("无权重新发送消息。"))
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().filter(pk=message.pk).first()
        if locked is None:
            raise NotFound()
        if locked.state != OutboxMessage.State.DEAD:
            raise Conflict("not_dead_letter", _("只有发送失败（死信）的消息可以重新发送。"), field="state")
        before = _snapshot(locked)
        if not delivery.requeue_dead_message(locked.pk, now=now):
            raise Conflict("not_dead_letter", _("只有发送失败（死信）的消息可以重新发送。"), field="state")
        locked.refresh_from_db()
        record_event(
            actor=actor,
            action="notifications.requeue_message",
            subject=locked,
            territory_code=_territory_code(locked),
            before=before,
            after=_snapshot(locked),
            now=now,
        )
        message_id = locked.pk
        transaction.on_commit(lambda: schedule_delivery([message_id]))
    return locked
