"""verify_audit: an intact trail passes; an edited or deleted row is named; the ORM and the database
(triggers on PostgreSQL and SQLite) refuse to change audit rows; concurrent writers, sealed, verify."""

from __future__ import annotations

import importlib
import threading
from io import StringIO

import pytest
from django.apps import apps as global_apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from audit.models import AuditBlock, AuditEvent
from audit.sealing import seal_pending
from audit.tests.helpers import raw, write_events
from audit.verify import verify_chain
from core.appendonly import AppendOnlyError

trigger_migration = importlib.import_module("audit.migrations.0002_append_only_trigger")


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_empty_and_intact_chains_pass() -> None:
    assert "0 events" in verify()
    write_events(7)
    assert "7 events" in verify("--batch-size", "3")
    report = verify_chain(batch_size=2)
    assert report.intact and report.checked == 7


@pytest.mark.django_db
def test_edited_row_is_named_as_content_break() -> None:
    events = write_events(5)
    raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.thing.undone", events[2].pk])
    with pytest.raises(CommandError, match=rf"id={events[2].pk}: content changed"):
        verify("--batch-size", "2")
    report = verify_chain()
    assert report.broken is not None
    assert (report.broken.event_id, report.broken.kind, report.checked) == (events[2].pk, "content", 2)


@pytest.mark.django_db
def test_edited_json_payload_is_detected() -> None:
    events = write_events(3)
    raw("UPDATE audit_auditevent SET territory_code = %s WHERE id = %s", ["320507105", events[0].pk])
    report = verify_chain()
    assert report.broken is not None and report.broken.event_id == events[0].pk


@pytest.mark.django_db
def test_deleted_sealed_row_breaks_its_block() -> None:
    events = write_events(5)
    seal_pending(block_size=2)  # blocks: [1,2] [3,4] [5]
    assert AuditBlock.objects.count() == 3
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    with pytest.raises(CommandError, match=r"block 2: sealed block does not match"):
        verify()


@pytest.mark.django_db
def test_deleting_the_first_row_is_detected() -> None:
    events = write_events(3)
    seal_pending()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
    report = verify_chain()
    assert report.broken is not None
    assert (report.broken.event_id, report.broken.kind) == (1, "block")


@pytest.mark.django_db
def test_deleted_block_is_detected() -> None:
    write_events(4)
    seal_pending(block_size=2)
    raw("DELETE FROM audit_auditblock WHERE number = %s", [1])
    report = verify_chain()
    assert report.broken is not None and report.broken.kind == "block"


@pytest.mark.django_db
def test_orm_refuses_changes_and_deletions() -> None:
    event = write_events(1)[0]
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing.done"


@pytest.mark.django_db
def test_database_triggers_refuse_update_and_delete() -> None:
    """PostgreSQL (migrations 0002, 0004) and SQLite (0004) alike, rows and blocks alike."""
    event = write_events(1)[0]
    seal_pending()
    for sql in (
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
        "UPDATE audit_auditblock SET head = 'x' WHERE last_event_id = %s",
        "DELETE FROM audit_auditblock WHERE last_event_id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing.done"
    assert AuditBlock.objects.get().last_event_id == event.pk


@pytest.mark.django_db
def test_postgres_trigger_migration_is_reversible(on_postgres: None) -> None:
    event = write_events(1)[0]
    with connection.schema_editor() as editor:
        trigger_migration.drop_trigger(global_apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    with connection.schema_editor() as editor:
        trigger_migration.create_trigger(global_apps, editor)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_intact(on_postgres: None) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(start: int) -> None:
        try:
            barrier.wait()
            write_events(25, start=start)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n * 100,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify_chain(batch_size=7)
    assert report.intact and report.checked == 50 and report.unsealed == 50
    assert seal_pending(block_size=20).rows == 50
    report = verify_chain(batch_size=7)
    assert report.intact and (report.checked, report.blocks, report.unsealed) == (50, 3, 0)
    assert AuditEvent.objects.values("subject_id").distinct().count() == 50


@pytest.mark.django_db
def test_append_only_triggers_exist() -> None:
    """Fails if a later migration rebuilt an audit table on SQLite (which drops its triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'audit_audit%%'")
            expected = {"audit_auditevent_append_only_trg", "audit_auditblock_append_only_trg"}
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_%'")
            expected = {f"audit_audit{t}_no_{op}" for t in ("event", "block") for op in ("update", "delete")}
        assert {row[0] for row in cursor.fetchall()} == expected
