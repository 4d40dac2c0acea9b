"""Hashing of audit rows and blocks.

A row's hash is an HMAC-SHA256, under the key its `key_id` names, over a canonical JSON of every
column but the id; it is computed in the writer's transaction without reading any other row. The
background sealer (audit.sealing) then binds rows, in id order, into blocks: each block's head is an
HMAC over the previous head, the block's header and every (id, row hash) in it. Rows written before
the keyed chain (key_id "") keep their unkeyed SHA-256 link to the previous row (`legacy_row_hash`);
they count only once sealed into a keyed block."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(values: list[Any]) -> bytes:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def _content(row: dict[str, Any]) -> list[Any]:
    return [
        canonical_time(row["occurred_at"]),
        row["actor_id"],
        row["actor_label"],
        row["action"],
        row["subject_type"],
        row["subject_id"],
        row["territory_code"],
        row["before"],
        row["after"],
        row["request_id"],
    ]


def row_hmac(key: bytes, key_id: str, row: dict[str, Any]) -> str:
    """The keyed content hash of one row (`row` holds the model's column values)."""
    return hmac.new(key, _canonical([key_id, *_content(row)]), hashlib.sha256).hexdigest()


def legacy_row_hash(row: dict[str, Any]) -> str:
    """The unkeyed hash of rows written before the keyed chain (ADR 0006, first version)."""
    return hashlib.sha256(_canonical([row["prev_hash"], *_content(row)])).hexdigest()


def block_head(
    key: bytes,
    *,
    key_id: str,
    number: int,
    prev_head: str,
    entries: Iterable[tuple[int, str]],
) -> tuple[str, int, int]:
    """HMAC over the block's header and its (id, row hash) entries in id order.
    Returns (head, count, last id)."""
    mac = hmac.new(key, _canonical([key_id, number, prev_head]), hashlib.sha256)
    count, last_id = 0, 0
    for event_id, digest in entries:
        mac.update(f"\n{event_id}:{digest}".encode())
        count, last_id = count + 1, event_id
    mac.update(f"\n{count}:{last_id}".encode())
    return mac.hexdigest(), count, last_id


def sign_head(key: bytes, fields: dict[str, Any]) -> str:
    """Signature of an exported head line (every field but `sig`)."""
    return hmac.new(key, _canonical([fields[k] for k in sorted(fields)]), hashlib.sha256).hexdigest()
