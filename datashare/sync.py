"""One connector run: read the source, keep the rows after the bookmark (cursor, then key), validate and
upsert each into the connector's target registry through its feed (datashare.feeds: the registry's own
actions and change path; each row in its own savepoint: a row applies whole or not at all), quarantine
the rows refused with the reason, record the run and move the bookmark — all in one transaction, so a
crash leaves the bookmark where the applied rows are. The data steward retries a quarantined row
through the same upsert (do_retry_quarantined)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError
from datashare import feeds
from datashare.access import check_steward
from datashare.adapters import ADAPTERS, Row, SourceError
from datashare.feeds import FEEDS, Applied, Feed, RowRefused
from datashare.models import Connector, ConnectorRun, QuarantinedRow, SyncedRecord
from registry import crypto
from registry.models import Entity
from workflow.actors import system_actor


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


@dataclass
class _Pending:
    cursor: str
    key: str  # as stored (a person's: the keyed hash of the ID number)
    raw_key: str  # as the source gives it
    row: Row
    refusal: DomainError | None = None


def _upsert(connector: Connector, feed: Feed, item: _Pending, actor: User, now: datetime) -> Applied | None:
    """Apply one row through its feed; None when it is applied already (same checksum) or older than
    the one applied last for its key. Refusals raise DomainError."""
    values = feed.values(item.row, item.raw_key)
    checksum = feeds.checksum(feed, item.key, values)
    synced = SyncedRecord.objects.filter(connector=connector, key=item.key).first()
    if synced is not None and (synced.checksum == checksum or item.cursor <= synced.cursor):
        return None
    found = feed.find(item.key, values, synced)
    if found is None:
        applied = feed.create(connector, item.key, values, actor, now)
    else:
        applied = feed.update(connector, found, values, actor, now)
    record = applied.record
    SyncedRecord.objects.update_or_create(
        connector=connector,
        key=item.key,
        defaults={
            "target_kind": feed.target,
            "target_id": record.pk,
            "territory_code": record.territory_code,  # type: ignore[attr-defined]
            "entity": record if isinstance(record, Entity) else None,
            "checksum": checksum,
            "cursor": item.cursor,
            "synced_at": now,
        },
    )
    return applied


def _pending(connector: Connector, feed: Feed, rows: list[Row]) -> list[_Pending]:
    """The rows after the bookmark in (cursor, key) order; an unreadable cursor or key refuses the row."""
    mark = _bookmark(connector)
    found = []
    for row in rows:
        raw_key = str(row.get(connector.key_field) or "").strip()
        key = feed.key(raw_key) if raw_key else ""
        try:
            cursor = rfc3339(row.get(connector.cursor_field))
            if not key:
                raise RowRefused("required", "主键字段为空。", field=connector.key_field)
        except RowRefused as refusal:
            found.append(_Pending("", key, raw_key, row, refusal))
            continue
        if (cursor, key) > mark:
            found.append(_Pending(cursor, key, raw_key, row))
    return sorted(found, key=lambda p: (p.cursor, p.key))


def _kept(connector: Connector, feed: Feed, row: Row, raw_key: str) -> tuple[str, Row, str]:
    """A refused row as quarantine keeps it: (key shown, payload shown, sealed whole). A row of personal
    data is kept sealed whole, and shown masked with a keyed digest that recognises it when it is read
    again."""
    payload = json.loads(json.dumps(row, default=str))
    key, sealed = raw_key, ""
    if feed.personal:
        whole = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        sealed = crypto.seal(QuarantinedRow, "payload_sealed", whole)
        masked = feed.mask(payload, raw_key)
        masked.pop(connector.key_field, None)
        payload = {**masked, "_digest": crypto.lookup_hash(whole)}
        key = feeds.shown_key(feed, raw_key)
    return key[:100], payload, sealed


def _refusal(error: DomainError) -> dict[str, str]:
    return {"field": (error.field or "")[:50], "code": error.code[:50], "reason": error.message[:300]}


def _quarantine(
    connector: Connector, feed: Feed, run: ConnectorRun, item: _Pending, error: DomainError
) -> bool:
    """Keep the refused row; False when the same row is already waiting in quarantine (a re-read file)."""
    key, payload, sealed = _kept(connector, feed, item.row, item.raw_key)
    waiting = QuarantinedRow.objects.filter(connector=connector, status=QuarantinedRow.Status.WAITING)
    if waiting.filter(key=key, payload=payload).exists():
        return False
    QuarantinedRow.objects.create(
        connector=connector, run=run, key=key, payload=payload, payload_sealed=sealed, **_refusal(error)
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
        counts = {"created": 0, "updated": 0, "unchanged": 0, "proposed": 0, "quarantined": 0}
        feed = FEEDS[locked.target]
        pending = _pending(locked, feed, rows)
        for item in pending:
            problem = item.refusal
            if problem is None:
                try:
                    with transaction.atomic():
                        applied = _upsert(locked, feed, item, actor, now)
                    counts[applied.outcome if applied else "unchanged"] += 1
                    counts["proposed"] += int(bool(applied and applied.proposed))
                except DomainError as refusal:
                    problem = refusal
            if problem is not None and _quarantine(locked, feed, run, item, problem):
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


# --------------------------------------------------------------------------------- quarantine retry


def _kept_row(row: QuarantinedRow, feed: Feed) -> Row:
    """The quarantined row as the source gave it (a personal row unsealed: never shown, never logged)."""
    if feed.personal:
        return dict(json.loads(crypto.unseal(row, "payload_sealed")))
    return dict(row.payload)


def _edited(kept: Row, feed: Feed, values: Mapping[str, Any]) -> tuple[Row, list[str]]:
    """The steward's corrections over the kept row, and the columns they change: only the row's own
    columns, never a personal row's."""
    if feed.personal:
        raise DomainError(
            "personal_row",
            _("个人信息数据不能在页面上修改，请在源系统更正后按源数据重试。"),
            field="values",
        )
    for column in values:
        if column not in kept:
            raise DomainError(
                "unknown_column", _("该行没有此列：%(column)s。") % {"column": column}, field=column
            )
    edited = {column: str(value).strip() for column, value in values.items()}
    changed = sorted(column for column, value in edited.items() if str(kept[column] or "").strip() != value)
    return {**kept, **edited}, changed


def _from_source(connector: Connector, feed: Feed, kept: Row) -> Row | None:
    """The source's current version of the row (its latest cursor for the same key); None when the
    source no longer holds it. A source that cannot be read raises SourceError."""
    raw_key = str(kept.get(connector.key_field) or "").strip()
    if not raw_key:
        return None
    wanted, same = feed.key(raw_key), []
    for row in ADAPTERS[connector.adapter](connector, ""):
        other = str(row.get(connector.key_field) or "").strip()
        if other and feed.key(other) == wanted:
            same.append(row)
    return max(same, key=lambda row: str(row.get(connector.cursor_field) or ""), default=None)


def do_retry_quarantined(
    row: QuarantinedRow, *, actor: User, now: datetime, values: Mapping[str, Any] | None = None
) -> QuarantinedRow:
    """Retry a quarantined row through the run's own upsert (the feed's checks, its registry actions and
    change path; idempotent: a row applied meanwhile changes nothing). Without `values` the row is read
    again from the source (after the source is fixed; the kept row when the source no longer holds it);
    with `values` (column → value, possibly none) the steward's corrections apply over the kept row.
    Applied, the row is resolved with its outcome; refused again, it waits with the new reason. Either
    way the retry is audited (columns, codes and outcome; never a value). Only the connector's data
    steward; the bookmark does not move."""
    connector = row.connector
    check_steward(actor, connector.territory_code)
    feed = FEEDS[connector.target]
    if row.status != QuarantinedRow.Status.WAITING:
        raise Conflict("already_resolved", _("该行已导入，无需重试。"), field="row")
    kept = _kept_row(row, feed)
    source_row, changed = None, list[str]()
    if values is not None:
        data, changed = _edited(kept, feed, values)
    else:
        source_row = _from_source(connector, feed, kept)
        data = source_row if source_row is not None else kept
    raw_key = str(data.get(connector.key_field) or "").strip()
    before = {"code": row.code, "field": row.field}
    with transaction.atomic():
        locked_connector = Connector.objects.select_for_update().get(pk=connector.pk)
        row = QuarantinedRow.objects.select_for_update().get(pk=row.pk)
        if row.status != QuarantinedRow.Status.WAITING:
            raise Conflict("already_resolved", _("该行已导入，无需重试。"), field="row")
        row.retries, row.retried_at, row.retried_by = row.retries + 1, now, actor
        try:
            key = feed.key(raw_key) if raw_key else ""
            if not key:
                raise RowRefused("required", "主键字段为空。", field=connector.key_field)
            item = _Pending(rfc3339(data.get(connector.cursor_field)), key, raw_key, data)
            with transaction.atomic():
                applied = _upsert(locked_connector, feed, item, actor, now)
        except DomainError as refusal:
            for name, value in _refusal(refusal).items():
                setattr(row, name, value)
            after: dict[str, Any] = {"status": row.status, "code": row.code, "field": row.field}
        else:
            row.status = QuarantinedRow.Status.RESOLVED
            row.outcome = "unchanged" if applied is None else applied.outcome
            if applied is not None and applied.proposed:
                row.outcome = "proposed"
            after = {"status": row.status, "outcome": row.outcome}
        row.key, row.payload, row.payload_sealed = _kept(connector, feed, data, raw_key)  # as retried
        row.save()
        after |= {"edited": changed, "from_source": source_row is not None}
        record_event(
            actor=actor,
            action="datashare.quarantine_retried",
            subject=row,
            territory_code=connector.territory_code,
            before=before,
            after=after,
            now=now,
        )
    return row
