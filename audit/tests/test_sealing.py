"""The sealer: rows in id order into chained blocks, the lag reported, a row committed late with a
lower id neither skipped nor breaking the chain (PostgreSQL), the huey task and the command."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections, transaction

from audit import sealing
from audit.models import AuditBlock, AuditEvent
from audit.sealing import seal_pending
from audit.tasks import seal_audit_trail
from audit.tests.helpers import NOW, raw, write_events
from audit.verify import verify_chain


@pytest.mark.django_db
def test_blocks_chain_in_id_order_and_sealing_is_idempotent() -> None:
    events = write_events(7)
    result = seal_pending(block_size=3, now=NOW)
    assert (result.blocks, result.rows) == (3, 7)
    blocks = list(AuditBlock.objects.order_by("number"))
    assert [(b.number, b.first_event_id, b.last_event_id, b.count) for b in blocks] == [
        (1, events[0].pk, events[2].pk, 3),
        (2, events[3].pk, events[5].pk, 3),
        (3, events[6].pk, events[6].pk, 1),
    ]
    assert [b.prev_head for b in blocks[1:]] == [b.head for b in blocks[:-1]]
    assert seal_pending(now=NOW).rows == 0
    write_events(2, start=7)
    assert seal_pending(now=NOW).blocks == 1
    report = verify_chain(batch_size=2)
    assert report.intact and (report.checked, report.blocks, report.unsealed) == (9, 4, 0)


@pytest.mark.django_db
def test_verify_reports_the_sealing_lag() -> None:
    write_events(3)
    seal_pending(now=NOW)
    write_events(2, start=3)
    with time_machine.travel(NOW + timedelta(seconds=90), tick=False):
        out = StringIO()
        call_command("verify_audit", stdout=out)
    assert "5 events verified, 1 blocks, 2 events not yet sealed, oldest unsealed 90 s old" in out.getvalue()
    report = verify_chain()
    assert (report.unsealed, report.oldest_unsealed_at) == (2, NOW)


@pytest.mark.django_db
def test_edited_unsealed_row_is_caught_by_its_own_hash() -> None:
    events = write_events(3)
    raw("UPDATE audit_auditevent SET subject_id = %s WHERE id = %s", ["99", events[1].pk])
    report = verify_chain()
    assert report.broken is not None
    assert (report.broken.event_id, report.broken.kind, report.checked) == (events[1].pk, "content", 1)


@pytest.mark.django_db
def test_task_and_command_seal() -> None:
    write_events(2)
    assert seal_audit_trail.call_local() == {"blocks": 1, "rows": 2}
    write_events(1, start=2)
    out = StringIO()
    call_command("seal_audit", "--block-size", "5", stdout=out)
    assert "sealed 1 events in 1 blocks" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_row_committed_late_with_a_lower_id_is_sealed_in_order(
    on_postgres: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A holds id N in flight while B commits N+1: the sealer must not seal N+1 past N."""
    monkeypatch.setattr(sealing, "_WATERMARK_LOCK_TIMEOUT", "100ms")
    holding, release, done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                write_events(1, start=0)
                holding.set()
                release.wait(timeout=30)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert holding.wait(timeout=30)
    write_events(1, start=1)  # commits the higher id first
    result = seal_pending(now=NOW)
    assert (result.watermark_taken, result.rows) == (False, 0)
    assert AuditBlock.objects.count() == 0
    release.set()
    thread.join()
    assert done.is_set() and errors == []
    assert seal_pending(now=NOW).rows == 2
    block = AuditBlock.objects.get()
    ids = sorted(AuditEvent.objects.values_list("id", flat=True))
    assert (block.first_event_id, block.last_event_id, block.count) == (ids[0], ids[1], 2)
    assert AuditEvent.objects.get(pk=ids[0]).subject_id == "0"  # the late, lower id
    report = verify_chain()
    assert report.intact and (report.blocks, report.unsealed) == (1, 0)
