"""Hashing of audit rows. The hash covers every column but the id, in a canonical JSON form."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(
    *,
    prev_hash: str,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    subject_type: str,
    subject_id: str,
    territory_code: str,
    before: Any,
    after: Any,
    request_id: str,
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            canonical_time(occurred_at),
            actor_id,
            actor_label,
            action,
            subject_type,
            subject_id,
            territory_code,
            before,
            after,
            request_id,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
