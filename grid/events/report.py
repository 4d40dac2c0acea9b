"""信息收集: reporting a grid event (staff on patrol, the hotline, residents on the web form or Open311) —
validation, the grid located from the point, the filing standard's handling limit pinned, the photos
stored (content-sniffed), the work item started in `reported`, the grid's staff told. Also the receipt
numbers and the photo helpers every step uses."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core import pii
from core.errors import DomainError, NotFound, PermissionRefused
from core.uploads import clean_image
from grid.events.duplicates import candidates_with_distance
from grid.events.place_names import place_for_title
from grid.events.selectors import (
    CROCKFORD,
    RECEIPT_PREFIX,
    SUBJECT_TYPE,
)
from grid.models import (
    AttachmentStage,
    Category,
    CategoryKind,
    EventAttachment,
    EventChannel,
    EventLevel,
    GridEvent,
)
from grid.standards.selectors import grid_staff, limit_for
from outbox.actions import enqueue
from territory.coords import GCJ02, gcj02_to_wgs84
from territory.locate import OutsideGrids, check_crs, check_lon_lat, locate
from territory.models import Grid
from workflow.actors import system_actor
from workflow.models import Priority
from workflow.start import do_start_item

logger = logging.getLogger(__name__)

PROCESS = "grid_event"
MAX_DESCRIPTION = 2000
MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_MEDIA_URLS = 9
# Who may report through which channel (the system actor may use any; anonymous residents only theirs).
RESIDENT_CHANNELS = (EventChannel.RESIDENT_WEB, EventChannel.OPEN311)
STAFF_CHANNELS: dict[str, set[str]] = {
    EventChannel.PATROL: {Role.GRID_WORKER, Role.GRID_HEAD},
    EventChannel.HOTLINE: {Role.DISPATCHER},
    EventChannel.DISPATCHER: {Role.DISPATCHER},
    EventChannel.REFERRAL: {Role.DISPATCHER},
    # 党员联户: only through party's visit action, which checks the member and reports as the system.
    EventChannel.PARTY_LINK: set(),
}


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


def check_photos(photos: Sequence[UploadedFile]) -> list[tuple[File[bytes], str, str]]:
    """Each photo re-encoded (core.uploads: EXIF with GPS and device dropped) with its content type and
    extension; 400 on field `photos` for too many, too large, or not a JPEG/PNG/WebP that decodes."""
    if len(photos) > MAX_PHOTOS:
        raise DomainError("too_many", f"照片最多 {MAX_PHOTOS} 张。", field="photos")
    checked: list[tuple[File[bytes], str, str]] = []
    for index, photo in enumerate(photos, start=1):
        size = photo.size or 0
        if size > MAX_PHOTO_BYTES:
            raise DomainError("too_large", f"第 {index} 张照片超过 10 MB。", field="photos")
        if size == 0:
            raise DomainError("invalid", f"第 {index} 张照片是空文件。", field="photos")
        clean = clean_image(photo, field="photos", label=f"第 {index} 个文件")
        checked.append((clean.content, clean.content_type, clean.extension))
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
    photos: list[tuple[File[bytes], str, str]],
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


def discard_files(attachments: Sequence[EventAttachment]) -> None:
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


# A resident cannot know the category codes (as a 12345 call centre does, the report is taken anyway): a
# resident's report without one is filed under the standard's catch-all 其他事件 and marked unclassified,
# for the dispatcher to read and route. Staff always name the category.
UNCLASSIFIED_CATEGORY = "0601"


def _unclassified(attributes: dict[str, Any] | None) -> dict[str, Any]:
    if attributes is not None and not isinstance(attributes, dict):
        raise DomainError("invalid", "附加属性须为对象。", field="attributes")
    return {**(attributes or {}), "unclassified": True}


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


def check_reporter(actor: User | None, channel: str) -> None:
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
                    "outside_grids",
                    gettext("该位置不在本区任何网格内，请在地图上重新选择位置。"),
                    field="lon",
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


def check_report_place(
    *, actor: User | None, lon: float, lat: float, crs: str = "wgs84", grid_code: str | None = None
) -> None:
    """The place check of `do_report_event` on its own (writes nothing), for a form that reports a point
    outside the district together with its other errors on the first submit. DomainError on `lon`."""
    _place(actor, lon=lon, lat=lat, crs=crs, grid_code=grid_code)


@dataclass
class CheckedReport:
    """A report that passed every check of `do_report_event`, with its grid located and its point in
    WGS-84, ready to be written (by the single path at once, or from an intake row by the consumer)."""

    channel: str
    kind: str
    category: Category
    description: str
    title: str
    address: str
    reporter_name: str
    phone: str
    attributes: dict[str, Any] | None
    publish_consent: bool
    photos: list[tuple[File[bytes], str, str]]
    urls: list[str]
    grid: Grid
    lon: float | None
    lat: float | None


def check_report(
    *,
    actor: User | None,
    channel: str,
    description: str,
    category_code: str = "",
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
    publish_consent: bool = False,
) -> CheckedReport:
    """Every rule of a report, nothing written: the reporter's channel, the category (a resident's report
    without one filed unclassified), the texts, the phone number, the photos (re-encoded), the links and
    the place (the grid located from the point). DomainError with the field on the first problem."""
    check_reporter(actor, channel)
    category_code = (category_code or "").strip()
    if not category_code and actor is None and kind == CategoryKind.EVENT:
        attributes = _unclassified(attributes)
        category_code = UNCLASSIFIED_CATEGORY
    elif not category_code:
        raise DomainError("required", "请选择问题分类。", field="category_code")
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
    return CheckedReport(
        channel=channel,
        kind=kind,
        category=category,
        description=description,
        title=title,
        address=address,
        reporter_name=reporter_name,
        phone=phone,
        attributes=attributes,
        publish_consent=bool(publish_consent),
        photos=checked_photos,
        urls=urls,
        grid=grid,
        lon=wgs_lon,
        lat=wgs_lat,
    )


def report_title(category: Category, grid: Grid, address: str, lon: float | None, lat: float | None) -> str:
    """The title of a report that gave none: the category and the place in words."""
    return f"{category.name}（{place_for_title(grid, address, lon, lat)}）"


def do_report_event(
    *,
    actor: User | None,
    now: datetime,
    channel: str,
    description: str,
    category_code: str = "",
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
    publish_consent: bool = False,
) -> GridEvent:
    """信息收集: validate (`check_report`), locate the grid, pin the standard row, store the report with its
    photos, start the work item (state `reported`, handling limit from the standard), audit, and tell the
    grid's staff about a report they did not make. `actor` None = an anonymous resident (the system user
    acts)."""
    checked = check_report(
        actor=actor,
        channel=channel,
        description=description,
        category_code=category_code,
        kind=kind,
        title=title,
        lon=lon,
        lat=lat,
        crs=crs,
        grid_code=grid_code,
        address=address,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        photos=photos,
        media_urls=media_urls,
        attributes=attributes,
        publish_consent=publish_consent,
    )
    category, grid, wgs_lon, wgs_lat = checked.category, checked.grid, checked.lon, checked.lat
    kind, description, title, address = checked.kind, checked.description, checked.title, checked.address
    reporter_name, phone, attributes = checked.reporter_name, checked.phone, checked.attributes
    checked_photos, urls = checked.photos, checked.urls

    try:
        amount, unit, standard = limit_for(category.code, grid.area_class, kind=kind)
        limits: dict[str, Any] | None = {"handling": {"amount": amount, "unit": unit}}
    except NotFound:
        standard, limits = None, None
    acting = actor if actor is not None else system_actor()
    if not title:
        title = report_title(category, grid, address, wgs_lon, wgs_lat)
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
                    publish_consent=bool(publish_consent),
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
            discard_files(saved)
            saved = []
            if attempt + 1 < RECEIPT_ATTEMPTS and GridEvent.objects.filter(receipt_number=receipt).exists():
                continue
            raise
        except BaseException:
            discard_files(saved)
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
