"""Bulk intake (an import of many reports at once); see the section comment below."""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from accounts.jurisdiction import jurisdiction_codes
from accounts.models import Assignment, Role, User
from audit.actions import record_event
from core import pii
from core.errors import DomainError, NotFound, PermissionRefused
from grid.events.report import MAX_DESCRIPTION, PROCESS, check_media_urls, check_reporter, report_title
from grid.events.selectors import (
    CROCKFORD,
    RECEIPT_PREFIX,
    SUBJECT_TYPE,
)
from grid.models import (
    AttachmentStage,
    Category,
    CategoryKind,
    CategoryStandard,
    EventAttachment,
    EventChannel,
    EventLevel,
    GridEvent,
)
from grid.standards.selectors import current_standard_version
from outbox.actions import outbox_committed
from outbox.models import OutboxMessage
from territory.coords import GCJ02, WGS84, gcj02_to_wgs84, gcj02_to_wgs84_array
from territory.locate import check_crs, check_lon_lat, locate_many
from territory.models import Grid
from territory.scoping import covers
from workflow.actors import system_actor
from workflow.models import Priority

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------- bulk intake
#
# `do_report_events_bulk`: an import of many reports at once (a 12345 hotline backlog, a legacy system's
# open events). Every row is validated in memory first with the reference data loaded once (categories,
# the current standard's rows, the grids, the actor's jurisdiction), all points are located with ONE
# `territory.locate.locate_many` call, and a batch with any bad row is refused as a whole (nothing written)
# with every problem listed. Each batch (default 1,000 rows) is then written in one transaction:
# the events' ids reserved (`workflow.bulk.allocate_ids`), their work items in state `reported` through
# the engine's `workflow.bulk.do_start_items_bulk` (start transitions, deadlines, the engine's batch
# audit event; each item names its event), the events themselves, written already linked to their item,
# the grid staff's notifications (as the single path's `_tell_grid_staff`) and ONE summary audit event
# `grid.events_imported` for the batch. The large inserts go through `workflow.bulk.insert_rows` /
# `create_objects`: COPY … FROM STDIN on PostgreSQL, executemany on SQLite.
#
# Not done per row, on purpose: the duplicate-candidate search. Imported rows are historical and known
# to be distinct (the source system already deduplicated them); the dispatcher's duplicate view still
# computes candidates on demand (`grid.events.duplicates.duplicate_candidates`), so nothing is lost.
# No photos: an import carries media URLs only.

BULK_BATCH_SIZE = 1000
BULK_FIELDS = frozenset(
    {
        "channel",
        "category_code",
        "description",
        "kind",
        "title",
        "lon",
        "lat",
        "crs",
        "grid_code",
        "address",
        "reporter_name",
        "reporter_phone",
        "media_urls",
        "attributes",
    }
)


_CHANNELS = frozenset(EventChannel.values)
_KINDS = frozenset(CategoryKind.values)


class RowsRefused(DomainError):
    """A bulk intake refused as a whole: `problems` lists every bad row's error (field `rows[i].<field>`).
    Status 404 when a row names a grid outside the actor's jurisdiction (as the single path), else 400."""

    def __init__(self, problems: list[DomainError]):
        shown = "；".join(f"{p.field}：{p.message}" for p in problems[:20])
        more = f"（另有 {len(problems) - 20} 处）" if len(problems) > 20 else ""
        status = 404 if any(p.status == 404 for p in problems) else 400
        super().__init__(
            "invalid_rows",
            f"{len(problems)} 处问题，整批未导入：{shown}{more}",
            field=problems[0].field,
            status=status,
        )
        self.problems = problems


class _Cleaned:
    """One validated row, ready to write."""

    category: Category
    channel: str
    kind: str
    description: str
    title: str
    address: str
    reporter_name: str
    phone: str
    attributes: dict[str, Any]
    urls: list[str]
    crs: str

    def __init__(self) -> None:
        self.grid: Grid | None = None
        self.grid_code: str | None = None
        self.lon: float | None = None
        self.lat: float | None = None


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _clean_row(
    index: int,
    row: Any,
    categories: dict[tuple[str, str], Category],
    problems: list[DomainError],
) -> _Cleaned | None:
    """The single path's field checks on one row; problems are appended (field `rows[i].<field>`)."""
    before = len(problems)

    def problem(code: str, message: str, name: str, status: int | None = None) -> None:
        problems.append(
            DomainError(code, f"第 {index} 行：{message}", field=f"rows[{index}].{name}", status=status)
        )

    if not isinstance(row, dict):
        problem("invalid", "每行须为对象。", "row")
        return None
    unknown = sorted(set(row) - BULK_FIELDS)
    if unknown:
        problem("invalid", f"未知字段：{', '.join(map(str, unknown))}", str(unknown[0]))
    out = _Cleaned()
    out.channel = _text(row, "channel")
    if out.channel not in _CHANNELS:
        problem("invalid_channel", f"未知的来源渠道：{out.channel}", "channel")
    out.kind = _text(row, "kind") or CategoryKind.EVENT
    if out.kind not in _KINDS:
        problem("invalid_kind", "类型应为 event（事件）或 component（部件）。", "kind")
    else:
        code = _text(row, "category_code")
        category = categories.get((out.kind, code))
        if category is None:
            problem(
                "invalid_category",
                f"“{code}”不是现行的{'事件' if out.kind == 'event' else '部件'}小类。",
                "category_code",
            )
        else:
            out.category = category
    out.description = _text(row, "description")
    if not out.description:
        problem("required", "请描述问题。", "description")
    elif len(out.description) > MAX_DESCRIPTION:
        problem("too_long", f"描述不能超过 {MAX_DESCRIPTION} 字。", "description")
    out.title = _text(row, "title")
    if len(out.title) > 200:
        problem("too_long", "标题不能超过200字。", "title")
    out.address = _text(row, "address")
    if len(out.address) > 300:
        problem("too_long", "地址不能超过300字。", "address")
    out.reporter_name = _text(row, "reporter_name")
    if len(out.reporter_name) > 50:
        problem("too_long", "称呼不能超过50字。", "reporter_name")
    phone = _text(row, "reporter_phone").replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not pii.MAINLAND_MOBILE.match(phone):
        problem("invalid_phone", "请填写11位手机号码。", "reporter_phone")
    out.phone = phone
    attributes = row.get("attributes")
    if attributes is not None and not isinstance(attributes, dict):
        problem("invalid", "附加属性须为对象。", "attributes")
    out.attributes = attributes or {}
    out.urls = []
    try:
        out.urls = check_media_urls(row.get("media_urls") or ())
    except DomainError as error:
        problem(error.code, error.message, "media_urls")
    # The place: an explicit grid code wins for the grid; a point without one is located later.
    lon, lat = row.get("lon"), row.get("lat")
    out.grid_code = _text(row, "grid_code") or None
    out.crs = WGS84
    if lon is not None or lat is not None:
        if lon is None or lat is None:
            problem("required", "经度和纬度须同时提供。", "lon" if lon is None else "lat")
        else:
            try:
                out.crs = check_crs(_text(row, "crs") or WGS84)
                check_lon_lat(lon, lat)
                out.lon, out.lat = float(lon), float(lat)
            except DomainError as error:
                problem(error.code, error.message, error.field or "lon")
    elif not out.grid_code:
        problem("required", "请提供位置（经纬度）或网格编码。", "lon")
    return out if len(problems) == before else None


def _taken_receipts(numbers: set[str]) -> set[str]:
    """Which of `numbers` are on file: one query. On PostgreSQL the numbers go as one array literal
    (Crockford characters need no quoting) instead of a thousand placeholders."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT receipt_number FROM {connection.ops.quote_name(GridEvent._meta.db_table)} "  # noqa: S608
                "WHERE receipt_number = ANY(%s::text[])",
                ["{" + ",".join(numbers) + "}"],
            )
            return {row[0] for row in cursor.fetchall()}
    return set(GridEvent.objects.filter(receipt_number__in=numbers).values_list("receipt_number", flat=True))


def _bulk_receipts(now: datetime, count: int) -> list[str]:
    """`count` receipt numbers in the single path's format (SJ + local YYMMDD + 8 Crockford base32
    characters = 40 random bits from `secrets`), drawn in memory, unique in the batch and checked against
    the table with one query per draw round."""
    day = RECEIPT_PREFIX + timezone.localtime(now).strftime("%y%m%d")
    numbers: set[str] = set()
    for _attempt in range(10):
        while len(numbers) < count:
            missing = count - len(numbers)
            raw = int.from_bytes(secrets.token_bytes(5 * missing), "big")
            for _ in range(missing):
                bits, raw = raw & 0xFFFFFFFFFF, raw >> 40
                numbers.add(day + "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(35, -1, -5)))
        taken = _taken_receipts(numbers)
        if not taken:
            return list(numbers)
        numbers -= taken
    raise RuntimeError("could not draw free receipt numbers")


def _standard_rows(categories: set[Category]) -> dict[int, CategoryStandard]:
    """The current standard's first row per category (what `limit_for` picks): one query."""
    if not categories:
        return {}
    try:
        version = current_standard_version()
    except NotFound:
        return {}
    rows: dict[int, CategoryStandard] = {}
    for row in (
        CategoryStandard.objects.filter(version=version, category__in=categories)
        .select_related("category", "version")
        .order_by("category_id", "sequence")
    ):
        rows.setdefault(row.category_id, row)
    return rows


def _validate_bulk(actor: User | None, rows: Sequence[Any]) -> list[_Cleaned]:
    """Every row checked, the places resolved; raises RowsRefused listing all problems."""
    problems: list[DomainError] = []
    channels = {str(r.get("channel") or "").strip() for r in rows if isinstance(r, dict)}
    for channel in sorted(channels):
        if channel not in EventChannel.values:
            continue  # reported per row
        try:
            check_reporter(actor, channel)
        except PermissionRefused:
            raise
        except DomainError as error:
            for index, row in enumerate(rows):
                if isinstance(row, dict) and str(row.get("channel") or "").strip() == channel:
                    problems.append(
                        DomainError(
                            error.code, f"第 {index} 行：{error.message}", field=f"rows[{index}].channel"
                        )
                    )
    categories = {
        (c.kind, c.code): c
        for c in Category.objects.select_related("parent").filter(active=True, parent__isnull=False)
    }
    cleaned = [_clean_row(i, row, categories, problems) for i, row in enumerate(rows)]
    # One locate_many over every point without a grid code (GCJ-02 points converted first).
    to_locate = [(i, c) for i, c in enumerate(cleaned) if c is not None and c.grid_code is None]
    if to_locate:
        lons = np.array([c.lon for _, c in to_locate], dtype=np.float64)
        lats = np.array([c.lat for _, c in to_locate], dtype=np.float64)
        gcj = np.array([c.crs == GCJ02 for _, c in to_locate])
        if gcj.any():
            lons[gcj], lats[gcj] = gcj02_to_wgs84_array(lons[gcj], lats[gcj])
        codes = locate_many(lons.tolist(), lats.tolist())
        for (index, c), code, x, y in zip(to_locate, codes, lons.tolist(), lats.tolist(), strict=True):
            if code is None:
                problems.append(
                    DomainError(
                        "outside_grids",
                        f"第 {index} 行：该位置不在本区任何网格内。",
                        field=f"rows[{index}].lon",
                    )
                )
                cleaned[index] = None
            else:
                c.lon, c.lat, c.grid_code = x, y, code
    # Rows with a grid code and a point: the point stored in WGS-84, as the single path does.
    located_ids = {id(c) for _, c in to_locate}
    for given in cleaned:
        if (
            given is not None
            and id(given) not in located_ids
            and given.lon is not None
            and given.lat is not None
            and given.crs == GCJ02
        ):
            given.lon, given.lat = gcj02_to_wgs84(given.lon, given.lat)
    grids = {
        g.code: g
        for g in Grid.objects.filter(
            code__in={c.grid_code for c in cleaned if c is not None}, active=True
        ).select_related("village")
    }
    mine = jurisdiction_codes(actor) if actor is not None and not actor.is_system else None
    for index, row_ in enumerate(cleaned):
        if row_ is None:
            continue
        c = row_
        assert c.grid_code is not None
        grid = grids.get(c.grid_code)
        if grid is None:
            problems.append(
                DomainError(
                    "invalid",
                    f"第 {index} 行：网格不存在或已停用：{c.grid_code}",
                    field=f"rows[{index}].grid_code",
                )
            )
            continue
        if mine is not None and not covers(mine, grid.code):
            if id(c) in located_ids:
                problems.append(
                    DomainError(
                        "outside_jurisdiction",
                        f"第 {index} 行：该位置不在您负责的网格内。",
                        field=f"rows[{index}].lon",
                    )
                )
            else:
                problems.append(
                    NotFound(f"第 {index} 行：未找到网格：{grid.code}", field=f"rows[{index}].grid_code")
                )
            continue
        c.grid = grid
    if problems:
        problems.sort(key=lambda p: int((p.field or "rows[0]").split("[", 1)[1].split("]", 1)[0]))
        raise RowsRefused(problems)
    return [c for c in cleaned if c is not None]


def do_report_events_bulk(
    rows: Sequence[dict[str, Any]],
    *,
    actor: User | None,
    now: datetime,
    batch_size: int = BULK_BATCH_SIZE,
) -> list[GridEvent]:
    """Report many events at `now` (an import; see the section comment above). Each row has the fields of
    `do_report_event` except photos. The actor is checked per channel exactly like the single path
    (403); every row is validated before anything is written, and any bad row refuses the whole input
    with RowsRefused (`problems`: one DomainError per problem, field `rows[i].<field>`). Then one
    transaction per batch of `batch_size` rows. Returns the events (with `work_item` set), in row order."""
    if batch_size < 1:
        raise DomainError("invalid", "批大小须为正整数。", field="batch_size")
    if not rows:
        return []
    cleaned = _validate_bulk(actor, rows)
    acting = actor if actor is not None else system_actor()
    standards = _standard_rows({c.category for c in cleaned})
    events: list[GridEvent] = []
    for start in range(0, len(cleaned), batch_size):
        events += _write_bulk_batch(cleaned[start : start + batch_size], standards, acting=acting, now=now)
    logger.info("grid events imported: %d rows by %s", len(events), acting.username)
    return events


@dataclass(frozen=True)
class StoredPhoto:
    """A report photo already checked and stored (re-encoded, EXIF dropped) when the report came in."""

    name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Received:
    """What a resident's report received earlier keeps when its event is written (grid.events.intake)."""

    receipt_number: str
    received_at: datetime
    publish_consent: bool
    photos: tuple[StoredPhoto, ...] = ()


def do_register_received_reports(
    rows: Sequence[dict[str, Any]], received: Sequence[Received], *, now: datetime
) -> list[GridEvent]:
    """The intake consumer's writer: residents' reports received earlier (each row in
    `do_report_events_bulk`'s shape with the place already located: grid code and WGS-84 point) become
    events and work items in ONE transaction, by the same checks and the same batch writer as an import,
    as the system actor; a report without a title gets the single path's title (`report_title`). A row
    that no longer passes (its category retired, its grid closed) refuses the batch with RowsRefused."""
    if len(rows) != len(received):
        raise ValueError("one Received per row")
    if not rows:
        return []
    cleaned = _validate_bulk(None, rows)
    for c in cleaned:
        if not c.title:
            assert c.grid is not None
            c.title = report_title(c.category, c.grid, c.address, c.lon, c.lat)
    standards = _standard_rows({c.category for c in cleaned})
    events = _write_bulk_batch(cleaned, standards, acting=system_actor(), now=now, received=received)
    logger.info("grid events registered from intake: %d", len(events))
    return events


def _write_bulk_batch(
    batch: list[_Cleaned],
    standards: dict[int, CategoryStandard],
    *,
    acting: User,
    now: datetime,
    received: Sequence[Received] | None = None,
) -> list[GridEvent]:
    """One batch in one transaction. The events' ids are reserved first (`allocate_ids`), so the work
    items name their event (`subject_id`) and the events are written once, already linked to their
    item; every large insert is `workflow.bulk.insert_objects` (COPY on PostgreSQL). `received` (one per
    row): residents' reports taken in earlier, which keep the receipt number, time, consent and photos
    they were received with."""
    from workflow.bulk import StartSpec, allocate_ids, create_objects, do_start_items_bulk

    reporter = None if acting.is_system else acting
    # Per (category, area class): the handling limit given to the engine and the item's priority.
    pinned: dict[tuple[int, str], tuple[dict[str, Any] | None, int]] = {}
    specs: list[StartSpec] = []
    titles: list[str] = []
    with transaction.atomic():
        receipts = [r.receipt_number for r in received] if received else _bulk_receipts(now, len(batch))
        given: list[Received | None] = list(received) if received else [None] * len(batch)
        event_ids = allocate_ids(GridEvent, len(batch))
        for c, receipt, pk in zip(batch, receipts, event_ids, strict=True):
            grid = c.grid
            assert grid is not None
            key = (c.category.pk, grid.area_class)
            if key not in pinned:
                standard = standards.get(c.category.pk)
                pinned[key] = (
                    (
                        {
                            "handling": {
                                "amount": standard.limit_for_area(grid.area_class),
                                "unit": standard.unit,
                            }
                        }
                        if standard is not None
                        else None
                    ),
                    Priority.URGENT if standard is not None and standard.urgent else Priority.NORMAL,
                )
            limits, priority = pinned[key]
            title = (
                c.title
                or (f"{c.category.name}（{c.address}）" if c.address else f"{c.category.name}（{grid.name}）")
            )[:200]
            titles.append(title)
            specs.append(
                StartSpec(
                    title=title,
                    territory_code=grid.code,
                    subject_type=SUBJECT_TYPE,
                    subject_id=str(pk),
                    priority=priority,
                    inputs={"receipt_number": receipt, "channel": c.channel},
                    limits=limits,
                )
            )
        items = do_start_items_bulk(PROCESS, specs, actor=acting, now=now)
        reporter_id = reporter.pk if reporter is not None else None
        standard_ids = {category_id: standard.pk for category_id, standard in standards.items()}
        events = create_objects(
            GridEvent,
            [
                {
                    "id": pk,
                    "receipt_number": receipt,
                    "kind": c.kind,
                    "category_id": c.category.pk,
                    "standard_id": standard_ids.get(c.category.pk),
                    "channel": c.channel,
                    "title": title,
                    "description": c.description,
                    "address": c.address,
                    "lon": c.lon,
                    "lat": c.lat,
                    "grid_id": item.territory_code,
                    "territory_code": item.territory_code,
                    "reporter_id": reporter_id,
                    "reporter_name": c.reporter_name,
                    "reporter_phone_encrypted": pii.encrypt(c.phone),
                    "reporter_phone_hash": pii.lookup_hash(c.phone),
                    "reported_at": r.received_at if r else now,
                    "level": EventLevel.GRID,
                    "attributes": c.attributes,
                    "publish_consent": r.publish_consent if r else False,
                    "work_item_id": item.pk,
                    "created_at": now,
                    "updated_at": now,
                }
                for c, r, receipt, pk, title, item in zip(
                    batch, given, receipts, event_ids, titles, items, strict=True
                )
            ],
        )
        for event, c, item in zip(events, batch, items, strict=True):
            cache = event._state.fields_cache  # what the single path's instance holds, without queries
            cache["category"], cache["grid"], cache["work_item"] = c.category, c.grid, item
            cache["standard"], cache["reporter"] = standards.get(c.category.pk), reporter
        attachments = [
            EventAttachment(
                event=e, stage=AttachmentStage.REPORT, url=url, uploaded_by=reporter, uploaded_at=now
            )
            for e, c in zip(events, batch, strict=True)
            for url in c.urls
        ]
        attachments += [
            EventAttachment(
                event=e,
                stage=AttachmentStage.REPORT,
                file=photo.name,
                content_type=photo.content_type,
                size=photo.size,
                sha256=photo.sha256,
                uploaded_by=reporter,
                uploaded_at=r.received_at,
            )
            for e, r in zip(events, given, strict=True)
            if r is not None
            for photo in r.photos
        ]
        if attachments:
            EventAttachment.objects.bulk_create(attachments)
        told = _tell_grid_staff_bulk(events, exclude=acting.pk, now=now)
        record_event(
            actor=acting,
            action="grid.events_registered" if received else "grid.events_imported",
            subject_type=SUBJECT_TYPE,
            subject_id=f"{events[0].pk}-{events[-1].pk}",
            territory_code=_common_territory([e.territory_code for e in events]),
            after={
                "count": len(events),
                "first_id": events[0].pk,
                "last_id": events[-1].pk,
                "first_work_item": items[0].pk,
                "last_work_item": items[-1].pk,
                "channels": dict(sorted(Counter(e.channel for e in events).items())),
                "media_urls": len(attachments),
                "notifications": told,
                "duplicate_candidates": "not computed (import)",
                **({"receipts": receipts} if received else {}),
            },
            now=now,
        )
    return events


def _common_territory(codes: list[str]) -> str:
    first, last = min(codes), max(codes)
    prefix = first[
        : next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first))
    ]
    return next((prefix[:n] for n in (15, 12, 9, 6) if len(prefix) >= n), "")


def _tell_grid_staff_bulk(events: list[GridEvent], *, exclude: int, now: datetime) -> int:
    """`_tell_grid_staff` for a batch: the staff of every grid concerned in one query, the messages
    bulk-created, the outbox told after commit. Patrol reports are the staff's own: nobody is told."""
    wanted = [e for e in events if e.channel != EventChannel.PATROL]
    if not wanted:
        return 0
    staff: dict[str, list[int]] = {}
    for code, user_id in (
        Assignment.objects.filter(
            territory_code__in={e.territory_code for e in wanted},
            active=True,
            role__in=[Role.GRID_HEAD, Role.GRID_WORKER],
            user__is_active=True,
        )
        .order_by("-role", "user__username")  # workers first, as the single path
        .values_list("territory_code", "user_id")
    ):
        people = staff.setdefault(code, [])
        if user_id not in people:
            people.append(user_id)
    channel_names = {channel: str(EventChannel(channel).label) for channel in {e.channel for e in wanted}}
    messages = [
        {
            "created_at": now,
            "channel": OutboxMessage.Channel.CONSOLE,
            "recipient_id": user_id,
            "kind": "grid.event_reported",
            "subject": f"[{event.receipt_number}] {event.title}",
            "body": (
                f"您的网格有新的{channel_names[event.channel]}：{event.category.name}。"
                f"{event.description[:100]}"
            ),
            "payload": {"event": event.pk, "receipt_number": event.receipt_number},
            "next_attempt_at": now,
        }
        for event in wanted
        for user_id in staff.get(event.territory_code, [])
        if user_id != exclude
    ]
    if messages:
        from workflow.bulk import allocate_ids, insert_rows

        ids = allocate_ids(OutboxMessage, len(messages))
        for message, pk in zip(messages, ids, strict=True):
            message["id"] = pk
        insert_rows(OutboxMessage, messages)
        transaction.on_commit(lambda: outbox_committed.send(sender=OutboxMessage, message_ids=ids))
    return len(messages)
