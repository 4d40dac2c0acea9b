"""Writing the audit trail. `record_event` runs inside the caller's transaction, so the audit row
commits or rolls back with the change it describes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from audit.chain import GENESIS, row_hash
from audit.models import AuditEvent
from core.middleware import current_request_id

# Any fixed number; it names the lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_KEY = 320507_0001


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so the hash is computed over exactly what the database stores."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


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
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change it records")
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject_id or str(subject.pk)
    occurred_at = now or timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    prev_hash = last or GENESIS
    actor_id = getattr(actor, "pk", None)
    actor_label = getattr(actor, "username", "") or ""
    before_json, after_json = _jsonable(before), _jsonable(after)
    request_id = current_request_id()
    digest = row_hash(
        prev_hash=prev_hash,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        territory_code=territory_code,
        before=before_json,
        after=after_json,
        request_id=request_id,
    )
    event = AuditEvent(
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        territory_code=territory_code,
        before=before_json,
        after=after_json,
        request_id=request_id,
        prev_hash=prev_hash,
        hash=digest,
    )
    event.save()
    return event
