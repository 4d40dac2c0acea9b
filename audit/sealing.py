"""The background sealer: binds unsealed audit rows, in id order, into blocks whose heads chain.

Writers never wait for it. Only the sealer takes the sealing lock, so two sealers cannot interleave.
Which rows are safe to seal: on PostgreSQL an id is drawn from the sequence when the row is inserted,
so a transaction still in flight may commit a *lower* id after a higher one is visible. The sealer
therefore first takes a watermark: inside a savepoint it takes a SHARE lock on the audit table (it
waits for the transactions that inserted audit rows to finish; new inserts wait meanwhile), reads the
highest id, and rolls the savepoint back, which releases the lock at once. Every id up to the
watermark is then final, committed or gone. `lock_timeout` bounds the writers' wait behind one long
transaction; the sealer then just tries again next run. On SQLite there is one writer at a time and an
in-flight insert always gets a higher id than every committed row, so the watermark is the highest
visible id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit import keys
from audit.chain import GENESIS, block_head
from audit.models import AuditBlock, AuditEvent

# Any fixed number; only sealers take it.
_SEAL_LOCK_KEY = 320507_0002
_WATERMARK_LOCK_TIMEOUT = "1s"


@dataclass(frozen=True)
class SealResult:
    blocks: int
    rows: int
    # False when the watermark could not be taken (a long transaction held the table): try again later.
    watermark_taken: bool = True


def _watermark() -> int | None:
    """The highest audit id below which no transaction can still commit a row."""
    if connection.vendor != "postgresql":
        return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0
    sid = transaction.savepoint()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{_WATERMARK_LOCK_TIMEOUT}'")
            cursor.execute("LOCK TABLE audit_auditevent IN SHARE MODE")
            cursor.execute("SELECT coalesce(max(id), 0) FROM audit_auditevent")
            highest = int(cursor.fetchone()[0])
    except OperationalError:  # lock_timeout: a long writer; seal next run
        transaction.savepoint_rollback(sid)
        return None
    # Rolling back to the savepoint releases the SHARE lock (and resets lock_timeout) now.
    transaction.savepoint_rollback(sid)
    return highest


def _seal_one(up_to: int, block_size: int, now: datetime) -> tuple[int, int]:
    """Seal the next block of at most `block_size` rows with ids ≤ `up_to`; (block number, rows)."""
    last = AuditBlock.objects.order_by("-number").values("number", "head", "last_event_id").first()
    number = (last["number"] + 1) if last else 1
    prev_head = last["head"] if last else GENESIS
    after_id = last["last_event_id"] if last else 0
    entries = list(
        AuditEvent.objects.filter(id__gt=after_id, id__lte=up_to)
        .order_by("id")
        .values_list("id", "hash")[:block_size]
    )
    if not entries:
        return number, 0
    key_id, key = keys.current_key()
    head, count, last_id = block_head(key, key_id=key_id, number=number, prev_head=prev_head, entries=entries)
    AuditBlock.objects.create(
        number=number,
        first_event_id=entries[0][0],
        last_event_id=last_id,
        count=count,
        prev_head=prev_head,
        head=head,
        key_id=key_id,
        sealed_at=now,
    )
    return number, count


def seal_pending(
    *, now: datetime | None = None, block_size: int | None = None, max_blocks: int = 1000
) -> SealResult:
    """Seal every row up to the watermark, one transaction per block."""
    now = now or timezone.now()
    block_size = block_size or settings.AUDIT_SEAL_BLOCK_SIZE
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
        up_to = _watermark()
    if up_to is None:
        return SealResult(0, 0, watermark_taken=False)
    blocks = rows = 0
    for _ in range(max_blocks):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
            _, count = _seal_one(up_to, block_size, now)
        if not count:
            break
        blocks, rows = blocks + 1, rows + count
    return SealResult(blocks, rows)
