"""One connector run: read the source, keep the rows after the bookmark (cursor, then key), validate and
upsert each into the registry through the registry's own actions (each row in its own savepoint: a row
applies whole or not at all), quarantine the rows refused with the reason, record the run and move the
bookmark — all in one transaction, so a crash leaves the bookmark where the applied rows are."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from accounts.models import User
from audit.actions import record_event
from core.errors import DomainError
from datashare.adapters import ADAPTERS, Row, SourceError
from datashare.models import Connector, ConnectorRun, QuarantinedRow, SyncedRecord
from registry import actions as registry
from registry.models import Entity
from workflow.actors import system_actor

SIZE_LABELS = {str(label): value for value, label in Entity.Size.choices}
FIELDS = ["name", "legal_representative", "industry_code", "size", "grid"]


class RowRefused(DomainError):
    pass


def rfc3339(value: Any) -> str:
    """The cursor as RFC 3339 in UTC ("2026-03-02T02:00:00Z"); naive times are taken as UTC."""
    text = str(value or "").strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise RowRefused("invalid_cursor", f"游标字段不是有效的时间：{text!r}", field="cursor") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def _bookmark(connector: Connector) -> tuple[str, str]:
    return connector.bookmark_cursor, connector.bookmark_key


def _entity_values(row: Row) -> dict[str, str]:
    values = {f: str(row.get(f) or "").strip() for f in FIELDS}
    values["size"] = SIZE_LABELS.get(values["size"], values["size"])
    return values


def _upsert(connector: Connector, key: str, cursor: str, row: Row, actor: User, now: datetime) -> str:
    """Apply one row; 'created', 'updated' or 'unchanged'. Refusals raise DomainError."""
    values = _entity_values(row)
    checksum = hashlib.sha256(json.dumps([key, values], ensure_ascii=False).encode()).hexdigest()
    record = SyncedRecord.objects.filter(connector=connector, key=key).first()
    if record is not None and (record.checksum == checksum or cursor <= record.cursor):
        return "unchanged"
    if not values["grid"].startswith(connector.territory_code):
        raise RowRefused("out_of_scope", "网格不在该数据源的区划内。", field="grid")
    entity = Entity.objects.filter(uscc=key).first()
    if entity is None:
        entity = registry.do_register_entity(
            uscc_code=key,
            name=values["name"],
            legal_representative=values["legal_representative"],
            industry_code=values["industry_code"],
            size=values["size"],
            territory_code=values["grid"],
            actor=actor,
            now=now,
        )
        outcome = "created"
    else:
        if entity.territory_code != values["grid"]:
            raise RowRefused("grid_mismatch", "该单位已登记在其他网格，请人工核对。", field="grid")
        registry.do_update_entity(
            entity,
            name=values["name"],
            legal_representative=values["legal_representative"],
            industry_code=values["industry_code"],
            size=values["size"],
            actor=actor,
            now=now,
        )
        outcome = "updated"
    SyncedRecord.objects.update_or_create(
        connector=connector,
        key=key,
        defaults={"entity": entity, "checksum": checksum, "cursor": cursor, "synced_at": now},
    )
    return outcome


@dataclass
class _Pending:
    cursor: str
    key: str
    row: Row
    refusal: DomainError | None = None


def _pending(connector: Connector, rows: list[Row]) -> list[_Pending]:
    """The rows after the bookmark in (cursor, key) order; an unreadable cursor or key refuses the row."""
    mark = _bookmark(connector)
    found = []
    for row in rows:
        key = str(row.get(connector.key_field) or "").strip()
        try:
            cursor = rfc3339(row.get(connector.cursor_field))
            if not key:
                raise RowRefused("required", "主键字段为空。", field=connector.key_field)
        except RowRefused as refusal:
            found.append(_Pending("", key, row, refusal))
            continue
        if (cursor, key) > mark:
            found.append(_Pending(cursor, key, row))
    return sorted(found, key=lambda p: (p.cursor, p.key))


def _quarantine(connector: Connector, run: ConnectorRun, item: _Pending, error: DomainError) -> bool:
    """Keep the refused row; False when the same row is already waiting in quarantine (a re-read file)."""
    payload = json.loads(json.dumps(item.row, default=str))
    if QuarantinedRow.objects.filter(connector=connector, key=item.key, payload=payload).exists():
        return False
    QuarantinedRow.objects.create(
        connector=connector,
        run=run,
        key=item.key[:100],
        payload=payload,
        field=(error.field or "")[:50],
        code=error.code[:50],
        reason=error.message[:300],
    )
    return True


def do_run_connector(connector: Connector, *, now: datetime, actor: User | None = None) -> ConnectorRun:
    """Pull the connector's new rows into the registry; returns the run (failed runs apply nothing)."""
    actor = actor or system_actor()
    before = ":".join(_bookmark(connector)).strip(":")
    try:
        rows = ADAPTERS[connector.adapter](connector, connector.bookmark_cursor)
    except SourceError as error:
        run = ConnectorRun.objects.create(
            connector=connector,
            started_at=now,
            finished_at=now,
            status=ConnectorRun.Status.FAILED,
            error=error.message,
            bookmark_before=before,
            bookmark_after=before,
        )
        record_event(
            actor=actor,
            action="datashare.run_failed",
            subject=connector,
            after={"error": error.message},
            now=now,
        )
        return run
    with transaction.atomic():
        locked = Connector.objects.select_for_update().get(pk=connector.pk)
        run = ConnectorRun.objects.create(
            connector=locked,
            started_at=now,
            finished_at=now,
            status=ConnectorRun.Status.SUCCEEDED,
            bookmark_before=before,
        )
        counts = {"created": 0, "updated": 0, "unchanged": 0, "quarantined": 0}
        pending = _pending(locked, rows)
        for item in pending:
            problem = item.refusal
            if problem is None:
                try:
                    with transaction.atomic():
                        counts[_upsert(locked, item.key, item.cursor, item.row, actor, now)] += 1
                except DomainError as refusal:
                    problem = refusal
            if problem is not None and _quarantine(locked, run, item, problem):
                counts["quarantined"] += 1
            if item.cursor:
                locked.bookmark_cursor, locked.bookmark_key = item.cursor, item.key
        locked.last_success_at = now
        locked.save(update_fields=["bookmark_cursor", "bookmark_key", "last_success_at"])
        for name, value in counts.items():
            setattr(run, name, value)
        run.fetched = len(pending)
        run.bookmark_after = ":".join(_bookmark(locked)).strip(":")
        run.save()
        record_event(actor=actor, action="datashare.run_succeeded", subject=locked, after=counts, now=now)
    connector.refresh_from_db()
    return run
