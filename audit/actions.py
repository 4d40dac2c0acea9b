"""Writing the audit trail. `record_event` runs inside the caller's transaction, so the audit row
commits or rolls back with the change it describes. It reads no other row and takes no lock: the row
carries its own keyed hash and the background sealer (audit.sealing) chains it later."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit import keys
from audit.chain import row_hmac
from audit.models import AuditEvent
from core.bulk import allocate_ids, insert_rows
from core.middleware import current_request_id


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so the hash is computed over exactly what the database stores."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _row(
    *,
    actor: Any,
    action: str,
    subject: Any,
    subject_type: str,
    subject_id: str,
    territory_code: str,
    before: Any,
    after: Any,
    now: datetime | None,
) -> dict[str, Any]:
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject_id or str(subject.pk)
    return {
        "occurred_at": now or timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_label": getattr(actor, "username", "") or "",
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "territory_code": territory_code,
        "before": _jsonable(before),
        "after": _jsonable(after),
        "request_id": current_request_id(),
    }


def _in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change it records")


def record_event(
    *,
    actor: Any,
    action: str,
    subject: Any = None,
    subject_type: str = "",
    subject_id: str = "",
    territory_code: str = "",
    before: Any = None,
    after: Any = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one audit row. `subject` may be a model instance (type and pk taken from it)."""
    _in_transaction()
    event = audit_row(
        actor=actor,
        action=action,
        subject=subject,
        subject_type=subject_type,
        subject_id=subject_id,
        territory_code=territory_code,
        before=before,
        after=after,
        now=now,
    )
    event.save()
    return event


def audit_row(
    *,
    actor: Any,
    action: str,
    subject: Any = None,
    subject_type: str = "",
    subject_id: str = "",
    territory_code: str = "",
    before: Any = None,
    after: Any = None,
    now: datetime | None = None,
) -> AuditEvent:
    """The audit row `record_event` would write, unsaved (with its keyed hash): for `record_audit_rows`."""
    row = _row(
        actor=actor,
        action=action,
        subject=subject,
        subject_type=subject_type,
        subject_id=subject_id,
        territory_code=territory_code,
        before=before,
        after=after,
        now=now,
    )
    key_id, key = keys.current_key()
    return AuditEvent(**row, prev_hash="", key_id=key_id, hash=row_hmac(key, key_id, row))


def record_audit_rows(
    events: list[AuditEvent], *, insert: Callable[[list[AuditEvent]], None] | None = None
) -> None:
    """Append many rows built by `audit_row` at once, inside the caller's transaction (a batch of
    different changes, as many `record_event` calls would: the sweeper's escalations). `insert` writes
    them (e.g. a COPY with ids reserved up front); by default one `bulk_create`."""
    _in_transaction()
    if not events:
        return
    if insert is None:
        AuditEvent.objects.bulk_create(events)
    else:
        insert(events)


def record_events(events: Sequence[dict[str, Any]], *, actor: Any, now: datetime) -> None:
    """Append many audit rows of one actor at one time — a bulk import's row per record — each exactly
    what `record_event(actor=actor, now=now, **event)` would write, inserted together (`core.bulk`)."""
    _in_transaction()
    if not events:
        return
    key_id, key = keys.current_key()
    blank = {"subject": None, "subject_type": "", "subject_id": "", "territory_code": "", "before": None}
    blank["after"] = None
    rows = []
    for event, pk in zip(events, allocate_ids(AuditEvent, len(events)), strict=True):
        row = _row(actor=actor, now=now, **(blank | event))
        rows.append({"id": pk, **row, "prev_hash": "", "key_id": key_id, "hash": row_hmac(key, key_id, row)})
    insert_rows(AuditEvent, rows)


def record_admin_command(actor: Any, action: str, *, after: Any = None, now: datetime | None = None) -> None:
    """An administrator ran a management command (三员分立: their own actions are on the trail too). Only
    named administrators (`--actor`) are recorded; demo and test runs without one are not."""
    if actor is None:
        return
    with transaction.atomic():
        record_event(actor=actor, action=action, subject=actor, after=after, now=now)
