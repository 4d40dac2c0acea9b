"""Signal receivers: the workflow announces committed outbox rows; we queue their delivery."""

from __future__ import annotations

from typing import Any

from notifications.tasks import schedule_delivery


def on_outbox_committed(sender: Any, message_ids: list[int], **kwargs: Any) -> None:
    schedule_delivery(message_ids)
