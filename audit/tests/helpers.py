"""Shared by the audit tests: writing events, and changing the tables behind the ORM's back as an
attacker with database access would (the append-only triggers dropped first, as a table owner can)."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

from django.db import connection, transaction

from audit.actions import record_event
from audit.models import AuditEvent

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
PG_TRIGGERS = {
    "audit_auditevent": "audit_auditevent_append_only_trg",
    "audit_auditblock": "audit_auditblock_append_only_trg",
}
sqlite_triggers = importlib.import_module("audit.migrations.0004_append_only_everywhere")


def write_events(count: int, start: int = 0) -> list[AuditEvent]:
    events = []
    for i in range(start, start + count):
        with transaction.atomic():
            events.append(
                record_event(
                    actor=None,
                    action="test.thing.done",
                    subject_type="test.thing",
                    subject_id=str(i),
                    territory_code="320507003",
                    before={"n": i},
                    after={"n": i + 1, "名称": "黄桥"},
                    now=NOW,
                )
            )
    return events


def raw(sql: str, params: list[str | int]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, trigger in PG_TRIGGERS.items():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        else:
            sqlite_triggers.drop_sqlite_triggers(cursor.execute)
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table, trigger in PG_TRIGGERS.items():
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        else:
            sqlite_triggers.create_sqlite_triggers(cursor.execute)
