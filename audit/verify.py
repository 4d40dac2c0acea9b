"""Walking the audit trail: every sealed block's head is recomputed from its rows' hashes and the
previous head; every row's own keyed hash is recomputed from its columns (sealed or not); the rows not
yet sealed are counted (the sealing lag). Reads in id order, in batches, so memory stays flat."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from audit import keys
from audit.chain import GENESIS, block_head, legacy_row_hash, row_hmac
from audit.models import AuditBlock, AuditEvent

_FIELDS = (
    "id",
    "prev_hash",
    "hash",
    "key_id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "subject_type",
    "subject_id",
    "territory_code",
    "before",
    "after",
    "request_id",
)

BreakKind = Literal["content", "link", "block", "unsealed-legacy", "unknown-key"]


@dataclass(frozen=True)
class ChainBreak:
    # An event id, or for "block" the block number.
    event_id: int
    # "content": the row's columns no longer hash to its stored hash (edited, or re-hashed without
    # the key); "link": a legacy row's prev_hash is not the hash of the legacy row before it;
    # "block": a sealed block's rows no longer give its head (a row deleted, inserted or re-hashed,
    # or the block itself forged); "unsealed-legacy": an unkeyed row outside every sealed block;
    # "unknown-key": a row or block names a key id that is not configured.
    kind: BreakKind
    expected: str
    found: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken: ChainBreak | None
    blocks: int = 0
    unsealed: int = 0
    oldest_unsealed_at: datetime | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


class _Broken(Exception):
    def __init__(self, brk: ChainBreak) -> None:
        self.brk = brk


def _rows(after_id: int, up_to: int | None, batch_size: int) -> Iterator[dict[str, Any]]:
    last = after_id
    while True:
        qs = AuditEvent.objects.filter(id__gt=last)
        if up_to is not None:
            qs = qs.filter(id__lte=up_to)
        rows = list(qs.order_by("id").values(*_FIELDS)[:batch_size])
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


class _RowChecker:
    """Checks each row's own hash; legacy rows also check their link to the previous legacy row."""

    def __init__(self) -> None:
        self.previous_legacy = GENESIS
        self.checked = 0

    def check(self, row: dict[str, Any], *, sealed: bool) -> None:
        if row["key_id"] == "":
            if not sealed:
                raise _Broken(ChainBreak(row["id"], "unsealed-legacy", "keyed row", "unkeyed row"))
            if row["prev_hash"] != self.previous_legacy:
                raise _Broken(ChainBreak(row["id"], "link", self.previous_legacy, row["prev_hash"]))
            expected = legacy_row_hash(row)
            self.previous_legacy = row["hash"]
        else:
            key = keys.key_for(row["key_id"])
            if key is None:
                raise _Broken(ChainBreak(row["id"], "unknown-key", "a configured key id", row["key_id"]))
            expected = row_hmac(key, row["key_id"], row)
        if expected != row["hash"]:
            raise _Broken(ChainBreak(row["id"], "content", expected, row["hash"]))
        self.checked += 1


def _walk(checker: _RowChecker, batch_size: int) -> ChainReport:
    prev_head, after_id, blocks = GENESIS, 0, 0
    for block in AuditBlock.objects.order_by("number").iterator(chunk_size=500):
        key = keys.key_for(block.key_id)
        if key is None:
            raise _Broken(ChainBreak(block.number, "unknown-key", "a configured key id", block.key_id))
        if block.number != blocks + 1 or block.prev_head != prev_head:
            raise _Broken(ChainBreak(block.number, "block", prev_head, block.prev_head))

        def entries(lo: int = after_id, hi: int = block.last_event_id) -> Iterator[tuple[int, str]]:
            for row in _rows(lo, hi, batch_size):
                checker.check(row, sealed=True)
                yield row["id"], row["hash"]

        head, _, _ = block_head(
            key, key_id=block.key_id, number=block.number, prev_head=prev_head, entries=entries()
        )
        if head != block.head:
            raise _Broken(ChainBreak(block.number, "block", head, block.head))
        prev_head, after_id, blocks = block.head, block.last_event_id, blocks + 1
    unsealed, oldest = 0, None
    for row in _rows(after_id, None, batch_size):
        checker.check(row, sealed=False)
        unsealed += 1
        oldest = row["occurred_at"] if oldest is None else min(oldest, row["occurred_at"])
    return ChainReport(checker.checked, None, blocks, unsealed, oldest)


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Check every block and row; stop at the first break."""
    checker = _RowChecker()
    try:
        return _walk(checker, batch_size)
    except _Broken as exc:
        return ChainReport(checker.checked, exc.brk)
