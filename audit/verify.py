"""Walking the audit chain: recompute every row's hash and check each row links to the one before it.
Reads in id order, in batches, so memory stays flat however long the trail is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audit.chain import GENESIS, row_hash
from audit.models import AuditEvent

_FIELDS = (
    "id",
    "prev_hash",
    "hash",
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


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    # "content": the row's columns no longer hash to its stored hash (the row was edited);
    # "link": its prev_hash is not the stored hash of the row before it (a row was deleted or re-hashed).
    kind: Literal["content", "link"]
    expected: str
    found: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Check the whole chain; stop at the first broken row."""
    previous = GENESIS
    last_id = 0
    checked = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id").values(*_FIELDS)[:batch_size])
        if not rows:
            return ChainReport(checked=checked, broken=None)
        for row in rows:
            if row["prev_hash"] != previous:
                return ChainReport(checked, ChainBreak(row["id"], "link", previous, row["prev_hash"]))
            recomputed = row_hash(
                prev_hash=row["prev_hash"],
                occurred_at=row["occurred_at"],
                actor_id=row["actor_id"],
                actor_label=row["actor_label"],
                action=row["action"],
                subject_type=row["subject_type"],
                subject_id=row["subject_id"],
                territory_code=row["territory_code"],
                before=row["before"],
                after=row["after"],
                request_id=row["request_id"],
            )
            if recomputed != row["hash"]:
                return ChainReport(checked, ChainBreak(row["id"], "content", recomputed, row["hash"]))
            previous = row["hash"]
            checked += 1
        last_id = rows[-1]["id"]
