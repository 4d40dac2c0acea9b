"""Every write of grid events: reporting (信息收集), the loop's actions on the workflow engine, the rating.

The event's progress is its work item of process `grid_event` (grid/processes/grid_event.yaml); the
engine audits each transition. This module adds the grid's rules around it and an event-level audit row
whenever it changes the event itself (level, closure level, duplicate link, rating).

Decisions recorded here (the figures read them):
- Handling limit: pinned at report time from the category standard row for the grid's area class and
  given to the engine as the item's `handling` limit (`do_start_item(limits=...)`), so signing (and every
  rework) starts the standard's clock; events without a standard row fall back to the YAML's limit.
- Routing runs (and is recorded with `do_record_routing`) at `file` and at every `dispatch`; the
  unrouted queue is the filed events whose latest decision found no unit.
- Wrong dispatch: a `dispatch` right after a `send_back` to a unit other than the one that sent it back
  carries `inputs["wrong_dispatch"] = True` (and `previous_unit`); `inputs["redispatch"]` marks every
  dispatch after a send-back.
- Level: `dispatch` sets `level` from the dispatched unit's territory (15 digits grid, 12 village, 9 town,
  6 district); `whistle` moves it exactly one level up; `self_resolve` keeps it at grid; `closure_level`
  is the level at closure.
- Duplicates: `mark_duplicate` links `duplicate_of` and ends the duplicate's item (terminal `duplicate`);
  when the original ends (closed or voided) every linked reporter is told, and a duplicate's public
  status shows the original's progress.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.jurisdiction import jurisdiction_codes, may_see_code, user_roles
from accounts.models import Assignment, Role, User
from audit.actions import record_event
from core import pii
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from grid.duplicates import candidates_with_distance
from grid.event_selectors import (
    CROCKFORD,
    RECEIPT_PREFIX,
    SUBJECT_TYPE,
    effective_item,
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
from grid.selectors import current_standard_version, grid_staff, limit_for
from territory.coords import GCJ02, WGS84, gcj02_to_wgs84, gcj02_to_wgs84_array
from territory.locate import OutsideGrids, check_crs, check_lon_lat, locate, locate_many
from territory.models import Grid
from territory.scoping import covers
from workflow.actors import system_actor
from workflow.engine import do_start_item, transition
from workflow.models import OutboxMessage, Priority, WorkItem
from workflow.outbox import enqueue, outbox_committed

logger = logging.getLogger(__name__)

PROCESS = "grid_event"
MAX_DESCRIPTION = 2000
MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_MEDIA_URLS = 9
MAX_COMMENT = 1000
# Who may report through which channel (the system actor may use any; anonymous residents only theirs).
RESIDENT_CHANNELS = (EventChannel.RESIDENT_WEB, EventChannel.OPEN311)
STAFF_CHANNELS: dict[str, set[str]] = {
    EventChannel.PATROL: {Role.GRID_WORKER, Role.GRID_HEAD},
    EventChannel.HOTLINE: {Role.DISPATCHER},
    EventChannel.DISPATCHER: {Role.DISPATCHER},
    EventChannel.REFERRAL: {Role.DISPATCHER},
}


# ---------------------------------------------------------------------------------------------- helpers


RECEIPT_ATTEMPTS = 10  # 10 collisions in 2^40 per day: a broken RNG


def draw_receipt_number(now: datetime) -> str:
    """SJ + local YYMMDD + 8 Crockford base32 characters from `secrets` (40 random bits): short enough to
    read out on the phone, not guessable; unique only with the column's constraint (not looked up)."""
    day = timezone.localtime(now).strftime("%y%m%d")
    return RECEIPT_PREFIX + day + "".join(secrets.choice(CROCKFORD) for _ in range(8))


def new_receipt_number(now: datetime) -> str:
    """`draw_receipt_number`, checked against the table (the column is unique too)."""
    for _attempt in range(RECEIPT_ATTEMPTS):
        number = draw_receipt_number(now)
        if not GridEvent.objects.filter(receipt_number=number).exists():
            return number
    raise RuntimeError("could not draw a free receipt number")


def _sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the magic bytes: JPEG, PNG or WebP only."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check_photos(photos: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """Each photo's (file, content type, extension); 400 on field `photos` for too many, too large or not
    a JPEG/PNG/WebP (judged by content, not by the name or the declared type)."""
    if len(photos) > MAX_PHOTOS:
        raise DomainError("too_many", f"照片最多 {MAX_PHOTOS} 张。", field="photos")
    checked = []
    for index, photo in enumerate(photos, start=1):
        size = photo.size or 0
        if size > MAX_PHOTO_BYTES:
            raise DomainError("too_large", f"第 {index} 张照片超过 10 MB。", field="photos")
        if size == 0:
            raise DomainError("invalid", f"第 {index} 张照片是空文件。", field="photos")
        photo.seek(0)
        kind = _sniff(photo.read(12))
        photo.seek(0)
        if kind is None:
            raise DomainError(
                "invalid_type", f"第 {index} 个文件不是 JPEG、PNG 或 WebP 图片。", field="photos"
            )
        checked.append((photo, kind[0], kind[1]))
    return checked


def check_media_urls(urls: Sequence[str]) -> list[str]:
    if not urls:
        return []
    if len(urls) > MAX_MEDIA_URLS:
        raise DomainError("too_many", f"链接最多 {MAX_MEDIA_URLS} 个。", field="media_urls")
    validator = URLValidator(schemes=["http", "https"])
    cleaned = []
    for url in urls:
        value = (url or "").strip()
        try:
            if len(value) > 500:
                raise ValidationError("too long")
            validator(value)
        except ValidationError as error:
            raise DomainError(
                "invalid", "链接须为 http(s) 地址（不超过500字符）。", field="media_urls"
            ) from error
        cleaned.append(value)
    return cleaned


def save_photos(
    event: GridEvent,
    photos: list[tuple[UploadedFile, str, str]],
    *,
    stage: str,
    actor: User | None,
    now: datetime,
) -> list[EventAttachment]:
    saved = []
    for photo, content_type, extension in photos:
        digest = hashlib.sha256()
        photo.seek(0)
        for chunk in photo.chunks():
            digest.update(chunk)
        photo.seek(0)
        attachment = EventAttachment(
            event=event,
            stage=stage,
            content_type=content_type,
            size=photo.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            uploaded_at=now,
        )
        # The stored name never comes from the client.
        attachment.file.save(f"{event.receipt_number}-{secrets.token_hex(6)}.{extension}", photo, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def _discard_files(attachments: Sequence[EventAttachment]) -> None:
    for attachment in attachments:
        if attachment.file:
            attachment.file.delete(save=False)


def notify_reporter(event: GridEvent, *, kind: str, body: str, now: datetime) -> int:
    """Tell the reporter: a staff user through the console channel, a resident who left a phone number
    by SMS (the outbox row carries the number, as the SMS gateway needs it); anonymous residents without
    a number follow their receipt number."""
    subject = f"[{event.receipt_number}] {event.category.name}"
    payload = {"event": event.pk, "receipt_number": event.receipt_number}
    if event.reporter is not None and not event.reporter.is_system:
        enqueue(
            channel="console",
            kind=kind,
            recipient=event.reporter,
            subject=subject,
            body=body,
            now=now,
            payload=payload,
        )
        return 1
    if event.reporter_phone_encrypted:
        enqueue(
            channel="sms",
            kind=kind,
            address=pii.decrypt(event.reporter_phone_encrypted),
            subject=subject,
            body=body,
            now=now,
            payload=payload,
        )
        return 1
    return 0


# ---------------------------------------------------------------------------------------------- report


def _category(category_code: str, kind: str) -> Category:
    if kind not in CategoryKind.values:
        raise DomainError("invalid_kind", "类型应为 event（事件）或 component（部件）。", field="kind")
    category = (
        Category.objects.select_related("parent")
        .filter(kind=kind, code=(category_code or "").strip(), active=True, parent__isnull=False)
        .first()
    )
    if category is None:
        raise DomainError(
            "invalid_category",
            f"“{category_code}”不是现行的{'事件' if kind == 'event' else '部件'}小类。",
            field="category_code",
        )
    return category


def _check_reporter(actor: User | None, channel: str) -> None:
    if channel not in EventChannel.values:
        raise DomainError("invalid_channel", f"未知的来源渠道：{channel}", field="channel")
    if actor is None:
        if channel not in RESIDENT_CHANNELS:
            raise DomainError("invalid_channel", "匿名上报只能通过群众渠道。", field="channel")
        return
    if actor.is_system:
        return
    allowed = STAFF_CHANNELS.get(channel)
    if allowed is None:
        raise DomainError("invalid_channel", "该渠道仅供群众上报。", field="channel")
    if not user_roles(actor) & allowed:
        raise PermissionRefused("not_allowed", "您的角色无权通过该渠道上报事件。")


def _place(
    actor: User | None, *, lon: float | None, lat: float | None, crs: str, grid_code: str | None
) -> tuple[Grid, float | None, float | None]:
    """The grid and the WGS-84 point. An explicit grid code wins over the point for the grid."""
    wgs_lon = wgs_lat = None
    located_code = None
    if lon is not None or lat is not None:
        if lon is None or lat is None:
            raise DomainError("required", "经度和纬度须同时提供。", field="lon" if lon is None else "lat")
        crs = check_crs(crs)
        check_lon_lat(lon, lat)
        if grid_code:
            wgs_lon, wgs_lat = gcj02_to_wgs84(lon, lat) if crs == GCJ02 else (float(lon), float(lat))
        else:
            try:
                located = locate(lon, lat, crs=crs)
            except OutsideGrids as error:
                raise DomainError(
                    "outside_grids", "该位置不在本区任何网格内，请在地图上重新选择位置。", field="lon"
                ) from error
            wgs_lon, wgs_lat, located_code = located.lon, located.lat, located.grid_code
    elif not grid_code:
        raise DomainError("required", "请提供位置（经纬度）或网格编码。", field="lon")
    code = grid_code or located_code
    assert code is not None
    grid = Grid.objects.filter(code=code, active=True).select_related("village").first()
    if grid is None:
        raise DomainError("invalid", f"网格不存在或已停用：{code}", field="grid_code")
    if actor is not None and not actor.is_system and not may_see_code(actor, grid.code):
        if located_code is not None:
            raise DomainError("outside_jurisdiction", "该位置不在您负责的网格内。", field="lon")
        raise NotFound(f"未找到网格：{grid.code}", field="grid_code")
    return grid, wgs_lon, wgs_lat


def do_report_event(
    *,
    actor: User | None,
    now: datetime,
    channel: str,
    category_code: str,
    description: str,
    kind: str = "event",
    title: str = "",
    lon: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    grid_code: str | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence[UploadedFile] = (),
    media_urls: Sequence[str] = (),
    attributes: dict[str, Any] | None = None,
) -> GridEvent:
    """信息收集: validate, locate the grid, pin the standard row, store the report with its photos, start
    the work item (state `reported`, handling limit from the standard), audit, and tell the grid's staff
    about a report they did not make. `actor` None = an anonymous resident (the system user acts)."""
    _check_reporter(actor, channel)
    category = _category(category_code, kind)
    description = (description or "").strip()
    if not description:
        raise DomainError("required", "请描述问题。", field="description")
    if len(description) > MAX_DESCRIPTION:
        raise DomainError("too_long", f"描述不能超过 {MAX_DESCRIPTION} 字。", field="description")
    title = (title or "").strip()
    if len(title) > 200:
        raise DomainError("too_long", "标题不能超过200字。", field="title")
    address = (address or "").strip()
    if len(address) > 300:
        raise DomainError("too_long", "地址不能超过300字。", field="address")
    reporter_name = (reporter_name or "").strip()
    if len(reporter_name) > 50:
        raise DomainError("too_long", "称呼不能超过50字。", field="reporter_name")
    phone = (reporter_phone or "").strip().replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not pii.MAINLAND_MOBILE.match(phone):
        raise DomainError("invalid_phone", "请填写11位手机号码。", field="reporter_phone")
    if attributes is not None and not isinstance(attributes, dict):
        raise DomainError("invalid", "附加属性须为对象。", field="attributes")
    checked_photos = check_photos(photos)
    urls = check_media_urls(media_urls)
    grid, wgs_lon, wgs_lat = _place(actor, lon=lon, lat=lat, crs=crs, grid_code=grid_code)

    try:
        amount, unit, standard = limit_for(category.code, grid.area_class, kind=kind)
        limits: dict[str, Any] | None = {"handling": {"amount": amount, "unit": unit}}
    except NotFound:
        standard, limits = None, None
    acting = actor if actor is not None else system_actor()
    if not title:
        title = f"{category.name}（{address}）" if address else f"{category.name}（{grid.name}）"
    saved: list[EventAttachment] = []
    # The receipt number is drawn without a look-up; the unique column refuses the rare clash, and the
    # report is then written again with a new number (one query less per report than checking first).
    for attempt in range(RECEIPT_ATTEMPTS):
        receipt = draw_receipt_number(now)
        try:
            with transaction.atomic():
                event = GridEvent.objects.create(
                    receipt_number=receipt,
                    kind=kind,
                    category=category,
                    standard=standard,
                    channel=channel,
                    title=title[:200],
                    description=description,
                    address=address,
                    lon=wgs_lon,
                    lat=wgs_lat,
                    grid=grid,
                    territory_code=grid.code,
                    reporter=None if acting.is_system else acting,
                    reporter_name=reporter_name,
                    reporter_phone_encrypted=pii.encrypt(phone),
                    reporter_phone_hash=pii.lookup_hash(phone),
                    reported_at=now,
                    level=EventLevel.GRID,
                    attributes=attributes or {},
                    created_at=now,
                    updated_at=now,
                )
                saved = save_photos(
                    event, checked_photos, stage=AttachmentStage.REPORT, actor=event.reporter, now=now
                )
                for url in urls:
                    EventAttachment.objects.create(
                        event=event,
                        stage=AttachmentStage.REPORT,
                        url=url,
                        uploaded_by=event.reporter,
                        uploaded_at=now,
                    )
                item = do_start_item(
                    PROCESS,
                    actor=acting,
                    now=now,
                    title=event.title,
                    territory_code=grid.code,
                    subject_type=SUBJECT_TYPE,
                    subject_id=str(event.pk),
                    priority=Priority.URGENT if standard is not None and standard.urgent else Priority.NORMAL,
                    inputs={"receipt_number": event.receipt_number, "channel": channel},
                    limits=limits,
                )
                event.work_item = item
                event.save(update_fields=["work_item"])
                # `duplicate_candidates(event)`'s ids and order, from the one query it starts with.
                found = candidates_with_distance(event)
                candidates = [
                    c.event.pk for c in sorted(found, key=lambda c: (c.event.reported_at, c.event.pk))
                ]
                record_event(
                    actor=acting,
                    action="grid.event_reported",
                    subject=event,
                    territory_code=grid.code,
                    after={
                        "receipt_number": event.receipt_number,
                        "channel": channel,
                        "kind": kind,
                        "category": category.code,
                        "grid": grid.code,
                        "lon": wgs_lon,
                        "lat": wgs_lat,
                        "standard": standard.pk if standard else None,
                        "limits": limits,
                        "photos": len(saved),
                        "media_urls": len(urls),
                        "reporter_phone": pii.mask_phone(phone),
                        "duplicate_candidates": candidates,
                        "work_item": item.pk,
                    },
                    now=now,
                )
                if channel != EventChannel.PATROL:
                    _tell_grid_staff(event, exclude=acting.pk, now=now)
            break
        except IntegrityError:
            _discard_files(saved)
            saved = []
            if attempt + 1 < RECEIPT_ATTEMPTS and GridEvent.objects.filter(receipt_number=receipt).exists():
                continue
            raise
        except BaseException:
            _discard_files(saved)
            raise
    logger.info("grid event %s reported through %s in %s", event.receipt_number, channel, grid.code)
    return event


def _tell_grid_staff(event: GridEvent, *, exclude: int, now: datetime) -> None:
    heads, workers = grid_staff(event.grid_id)
    seen: set[int] = set()
    for assignment in [*workers, *heads]:
        user = assignment.user
        if user.pk == exclude or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        enqueue(
            channel="console",
            kind="grid.event_reported",
            recipient=user,
            subject=f"[{event.receipt_number}] {event.title}",
            body=f"您的网格有新的{event.get_channel_display()}：{event.category.name}。{event.description[:100]}",
            now=now,
            payload={"event": event.pk, "receipt_number": event.receipt_number},
        )


# ---------------------------------------------------------------------------------------------- actions


def do_event_action(
    event: GridEvent,
    action: str,
    *,
    actor: User,
    now: datetime,
    reason: str = "",
    inputs: dict[str, Any] | None = None,
    photos: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> GridEvent:
    """The grid's door to its steps: check the uploaded photos, then take `action` through the engine,
    which runs the step's rules bound in `grid.event_steps` (the same path as every other door).
    Refusals: 404 outside jurisdiction, 409 wrong state or stale version, 403 role/unit, 400 with the
    field for bad input, 422 `unrouted` when dispatch finds no unit, 422 `photos_required` at closing."""
    if event.work_item_id is None:
        raise Conflict("invalid_transition", "该事件没有办件。")
    if not actor.is_system and not may_see_code(actor, event.territory_code):
        raise NotFound("未找到该事件。", field="event")
    checked_photos = check_photos(photos)
    saved: list[EventAttachment] = []
    item = WorkItem.objects.select_related("process_version").get(pk=event.work_item_id)
    try:
        with transaction.atomic():
            transition(
                item,
                action,
                actor=actor,
                now=now,
                inputs=dict(inputs or {}),
                reason=reason,
                expected_version=expected_version,
                door={"photos": checked_photos, "saved": saved},
            )
    except BaseException:
        _discard_files(saved)
        raise
    return GridEvent.objects.select_related(
        "category", "work_item", "work_item__assigned_unit", "reporter", "duplicate_of"
    ).get(pk=event.pk)


# ---------------------------------------------------------------------------------------------- rating


def do_rate_event(
    event: GridEvent, *, rating: int, comment: str = "", now: datetime, actor: User | None = None
) -> GridEvent:
    """评价: once, after closure (a duplicate after its original's closure); by the reporting user, or —
    `actor` None — by whoever holds the receipt number of a resident's report."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError("invalid", "评价须为 1 到 5 的整数。", field="rating")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError("too_long", f"评价意见不能超过 {MAX_COMMENT} 字。", field="comment")
    with transaction.atomic():
        event = (
            GridEvent.objects.select_for_update(of=("self",))
            .select_related("work_item", "duplicate_of", "duplicate_of__work_item", "reporter")
            .get(pk=event.pk)
        )
        if actor is None:
            if event.reporter_id is not None:
                raise PermissionRefused("not_allowed", "该事件只能由上报人评价。")
        elif event.reporter_id != actor.pk:
            raise PermissionRefused("not_allowed", "只有上报人可以评价。")
        item = effective_item(event)
        if item is None or item.state != "closed":
            raise Conflict("not_closed", "事件办结后才能评价。", field="rating")
        if event.rating is not None:
            raise Conflict("already_rated", "该事件已评价过。", field="rating")
        event.rating = rating
        event.rating_comment = comment
        event.rated_at = now
        event.updated_at = now
        event.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
        record_event(
            actor=actor or system_actor(),
            action="grid.event_rated",
            subject=event,
            territory_code=event.territory_code,
            after={"rating": rating, "comment": comment, "anonymous": actor is None},
            now=now,
        )
    return event


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
# computes candidates on demand (`grid.duplicates.duplicate_candidates`), so nothing is lost. No photos:
# an import carries media URLs only.

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
            _check_reporter(actor, channel)
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


def _write_bulk_batch(
    batch: list[_Cleaned], standards: dict[int, CategoryStandard], *, acting: User, now: datetime
) -> list[GridEvent]:
    """One batch in one transaction. The events' ids are reserved first (`allocate_ids`), so the work
    items name their event (`subject_id`) and the events are written once, already linked to their
    item; every large insert is `workflow.bulk.insert_objects` (COPY on PostgreSQL)."""
    from workflow.bulk import StartSpec, allocate_ids, create_objects, do_start_items_bulk

    reporter = None if acting.is_system else acting
    # Per (category, area class): the handling limit given to the engine and the item's priority.
    pinned: dict[tuple[int, str], tuple[dict[str, Any] | None, int]] = {}
    specs: list[StartSpec] = []
    titles: list[str] = []
    with transaction.atomic():
        receipts = _bulk_receipts(now, len(batch))
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
                    "reported_at": now,
                    "level": EventLevel.GRID,
                    "attributes": c.attributes,
                    "work_item_id": item.pk,
                    "created_at": now,
                    "updated_at": now,
                }
                for c, receipt, pk, title, item in zip(batch, receipts, event_ids, titles, items, strict=True)
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
        if attachments:
            EventAttachment.objects.bulk_create(attachments)
        told = _tell_grid_staff_bulk(events, exclude=acting.pk, now=now)
        record_event(
            actor=acting,
            action="grid.events_imported",
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
