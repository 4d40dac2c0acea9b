"""The engine's notifications through the outbox: a work item's assignee is told, or the members of its
assigned unit when it has none (never the actor who caused it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import Assignment, User
from core.bulk import insert_new
from outbox.actions import enqueue, enqueue_many
from workflow.models import WorkItem


def _unit_members(unit_id: int | None, exclude: int | None) -> list[User]:
    if unit_id is None:
        return []
    ids = Assignment.objects.filter(org_unit_id=unit_id, active=True).values_list("user_id", flat=True)
    members = User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
    if exclude is not None:
        members = members.exclude(pk=exclude)
    return list(members)


def notify_item(item: WorkItem, *, kind: str, body: str, now: datetime, exclude: int | None = None) -> int:
    """Queue a message to the assignee, or to the members of the assigned unit when there is none."""
    if item.assignee_id is not None:
        recipients = [item.assignee] if item.assignee_id != exclude and item.assignee is not None else []
    else:
        recipients = _unit_members(item.assigned_unit_id, exclude)
    for recipient in recipients:
        enqueue(
            channel="console",
            kind=kind,
            recipient=recipient,
            subject=f"[{item.pk}] {item.title}",
            body=body,
            now=now,
            payload={"work_item": item.pk, "state": item.state},
        )
    return len(recipients)


def notify_items(notices: list[tuple[WorkItem, dict[str, Any]]], *, now: datetime) -> int:
    """`notify_item` for many items (each with its kind, body and exclude): one query per unit whose
    members are told, one INSERT for all the messages."""
    members: dict[tuple[int | None, int | None], list[User]] = {}
    messages = []
    for item, notice in notices:
        exclude = notice.get("exclude")
        if item.assignee_id is not None:
            recipients = [item.assignee] if item.assignee_id != exclude and item.assignee is not None else []
        else:
            key = (item.assigned_unit_id, exclude)
            if key not in members:
                members[key] = _unit_members(item.assigned_unit_id, exclude)
            recipients = members[key]
        for recipient in recipients:
            messages.append(
                {
                    "channel": "console",
                    "kind": notice["kind"],
                    "recipient": recipient,
                    "subject": f"[{item.pk}] {item.title}",
                    "body": notice["body"],
                    "now": now,
                    "payload": {"work_item": item.pk, "state": item.state},
                }
            )
    enqueue_many(messages, insert=insert_new)
    return len(messages)
