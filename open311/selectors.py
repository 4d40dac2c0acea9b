"""Reads of the Open311 API: keys, services and their definitions, addresses, and service requests
(grid events seen the way a resident may see them: no requester's personal data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from core.errors import DomainError, NotFound
from core.publication import publish_many
from core.refcache import attach
from grid.events.publication import (
    RESIDENT_CHANNELS,
    description_is_public,
    is_public_report_photo,
    public_place,
    public_state_title,
)
from grid.events.selectors import CATEGORIES, normalize_receipt
from grid.models import AttachmentStage, Category, CategoryStandard, CategoryStandardVersion, GridEvent
from open311 import conf
from open311.codes import parse_service_code, service_code_of
from open311.keys import hash_key
from open311.models import LIST_DATATYPES, ApiKey, RequestToken, ServiceAttribute
from open311.render import MEDIA_TYPES, iso
from territory.models import Grid
from territory.refs import GRIDS
from workflow.listing import attach_item_references

TERMINAL_CLOSED = ("closed", "voided", "duplicate")
DEFAULT_WINDOW = timedelta(days=90)
# The key-less list is paged (`page`, `page_size`): a bounded page, never the whole window at once.
MAX_PAGE_SIZE = 200  # the largest page a client may ask for (page_size)
DEFAULT_PAGE_SIZE = 50  # GeoReport v2 sets no page size; 1,000 rows were 688 KB and 0.7 s of CPU
OUTCOME_ACTIONS = ("feedback", "self_resolve", "void")
UNIT_TITLES = {"work_hours": "工作时", "work_days": "工作日"}


# ---------------------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------------------


def key_for(raw_key: str) -> ApiKey | None:
    """The active key with this value, or None (unknown and revoked keys look the same)."""
    if not raw_key:
        return None
    return ApiKey.objects.filter(key_hash=hash_key(raw_key), active=True).first()


# ---------------------------------------------------------------------------------------------------------
# Discovery, services, service definitions
# ---------------------------------------------------------------------------------------------------------


def _current_version() -> CategoryStandardVersion | None:
    return CategoryStandardVersion.objects.filter(active=True).first()


def discovery_document(endpoint_url: str) -> dict[str, Any]:
    version = _current_version()
    changeset = conf.API_CHANGESET
    if version is not None and version.published_at is not None and iso(version.published_at) is not None:
        # Services change when a new standard version is published.
        published = iso(version.published_at) or changeset
        changeset = max(changeset, published, key=lambda text: datetime.fromisoformat(text))
    return {
        "changeset": changeset,
        "contact": conf.contact(),
        "key_service": conf.key_service(),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": endpoint_url,
                "changeset": changeset,
                "type": conf.endpoint_type(),
                "formats": list(MEDIA_TYPES),
            }
        ],
    }


@dataclass
class Service:
    category: Category
    rows: list[CategoryStandard] = field(default_factory=list)
    has_attributes: bool = False

    @property
    def code(self) -> str:
        return service_code_of(self.category)


def services() -> list[Service]:
    """Every minor class of the current standard (events first, then components), three queries."""
    version = _current_version()
    if version is None:
        return []
    rows = (
        CategoryStandard.objects.filter(version=version, category__active=True)
        .select_related("category", "category__parent")
        .order_by("-category__kind", "category__code", "sequence")
    )
    by_category: dict[int, Service] = {}
    for row in rows:
        by_category.setdefault(row.category_id, Service(category=row.category)).rows.append(row)
    with_attributes = set(
        ServiceAttribute.objects.filter(category_id__in=by_category).values_list("category_id", flat=True)
    )
    for category_id, service in by_category.items():
        service.has_attributes = category_id in with_attributes
    return list(by_category.values())


def service_document(service: Service) -> dict[str, Any]:
    category = service.category
    major = category.parent
    kind_title = "事件" if category.kind == "event" else "部件"
    conditions = "；".join(row.filing_condition for row in service.rows)
    return {
        "service_code": service.code,
        "service_name": category.name,
        "description": f"{kind_title}·{major.name if major else ''}·{category.name}。立案条件：{conditions}",
        "metadata": service.has_attributes,
        "type": "realtime",
        "keywords": ", ".join(
            part for part in (kind_title, major.name if major else "", category.name) if part
        ),
        "group": major.name if major else kind_title,
    }


def service_for(service_code: str) -> Category:
    """The minor class of a service code, if it is in the current standard; else NotFound."""
    parsed = parse_service_code(service_code)
    if parsed is None:
        raise NotFound(f"service_code {service_code} was not found（服务代码不存在）", field="service_code")
    kind, code = parsed
    version = _current_version()
    category = (
        Category.objects.filter(kind=kind, code=code, active=True, parent__isnull=False)
        .select_related("parent")
        .first()
    )
    in_standard = (
        version is not None
        and category is not None
        and CategoryStandard.objects.filter(version=version, category=category).exists()
    )
    if category is None or not in_standard:
        raise NotFound(f"service_code {service_code} was not found（服务代码不存在）", field="service_code")
    return category


def attributes_of(category: Category) -> list[ServiceAttribute]:
    return list(ServiceAttribute.objects.filter(category=category).order_by("order", "code"))


def definition_document(category: Category, attributes: Sequence[ServiceAttribute]) -> dict[str, Any]:
    return {
        "service_code": service_code_of(category),
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description or None,
                "order": attribute.order,
                "description": attribute.description,
                **(
                    {"values": [{"key": v["key"], "name": v["name"]} for v in attribute.values]}
                    if attribute.datatype in LIST_DATATYPES
                    else {}
                ),
            }
            for attribute in attributes
        ],
    }


# ---------------------------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------------------------


def grid_for_address_id(address_id: str) -> Grid:
    """address_id is a grid code (our address register is the grid register)."""
    grid = Grid.objects.filter(code=address_id.strip(), active=True).first()
    if grid is None:
        raise DomainError(
            "invalid",
            f"address_id {address_id} was not found: it must be a 15-digit grid code"
            "（address_id 应为网格编码）",
            field="address_id",
        )
    return grid


def grid_for_address_string(address_string: str) -> Grid:
    """The one active grid the address names (its grid code, or its full name); otherwise 400 — the
    platform has no street geocoder, so an address that names no single grid cannot be located."""
    text = address_string.strip()
    for token in text.replace("，", " ").replace(",", " ").split():
        if token.isdigit() and len(token) == 15:
            grid = Grid.objects.filter(code=token, active=True).first()
            if grid is not None:
                return grid
    matches = [g for g in Grid.objects.filter(active=True).only("code", "name") if g.name and g.name in text]
    # "第1网格" is inside "第11网格": keep only names no other match contains.
    best = [g for g in matches if not any(g.name != o.name and g.name in o.name for o in matches)]
    if len(best) == 1:
        return best[0]
    raise DomainError(
        "invalid",
        "address_string could not be located: send lat and long, or an address_id (grid code), or name "
        "exactly one grid（无法根据地址定位，请提供经纬度或网格编码）",
        field="address_string",
    )


# ---------------------------------------------------------------------------------------------------------
# Service requests
# ---------------------------------------------------------------------------------------------------------


@dataclass
class RequestQuery:
    service_request_ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] = field(default_factory=list)
    page: int = 1
    page_size: int = 0  # 0: the OPEN311_PAGE_SIZE setting (default 50)


def page_size_setting() -> int:
    return int(getattr(settings, "OPEN311_PAGE_SIZE", DEFAULT_PAGE_SIZE))


def _list_events() -> QuerySet[GridEvent]:
    """The list's query: few joins (category, grid and unit come from the process caches)."""
    return GridEvent.objects.select_related(
        "standard", "standard__version", "work_item", "duplicate_of"
    ).prefetch_related("attachments")


def _attach(events: list[GridEvent]) -> list[GridEvent]:
    attach(events, "category", CATEGORIES)
    attach(events, "grid", GRIDS)
    attach_item_references([e.work_item for e in events])
    return events


def _events() -> QuerySet[GridEvent]:
    return GridEvent.objects.select_related(
        "category",
        "standard",
        "standard__version",
        "grid",
        "work_item",
        "work_item__assigned_unit",
        "duplicate_of",
    ).prefetch_related("attachments")


def find_requests(query: RequestQuery, *, now: datetime) -> list[GridEvent]:
    """GET requests: by ids (then every other filter is ignored, as the spec says), or by service codes,
    a window of requested_datetime (90 days when not given; never wider) and status; newest first, at
    one page of `page_size` rows (default OPEN311_PAGE_SIZE, at most 200), page `page`."""
    events = _list_events()
    if query.service_request_ids:
        receipts = [normalize_receipt(value) for value in query.service_request_ids]
        return _attach(
            list(events.filter(receipt_number__in=receipts).order_by("-reported_at", "-id")[:MAX_PAGE_SIZE])
        )
    start, end = query.start, query.end
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - DEFAULT_WINDOW
    if end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise DomainError(
            "invalid", "end_date is before start_date（结束时间早于开始时间）", field="end_date"
        )
    if end - start > DEFAULT_WINDOW:
        raise DomainError(
            "invalid",
            "start_date and end_date may not span more than 90 days（时间范围不能超过90天）",
            field="start_date",
        )
    events = events.filter(reported_at__gte=start, reported_at__lte=end)
    if query.service_codes:
        wanted = Q(pk__in=[])
        for service_code in query.service_codes:
            parsed = parse_service_code(service_code)
            if parsed is None:
                raise DomainError(
                    "invalid",
                    f"service_code {service_code} is not a service code（服务代码格式错误）",
                    field="service_code",
                )
            wanted |= Q(category__kind=parsed[0], category__code=parsed[1])
        events = events.filter(wanted)
    statuses = set(query.statuses)
    if statuses == {"open"}:
        events = events.exclude(work_item__state__in=TERMINAL_CLOSED)
    elif statuses == {"closed"}:
        events = events.filter(work_item__state__in=TERMINAL_CLOSED)
    size = query.page_size or page_size_setting()
    first = (query.page - 1) * size
    return _attach(list(events.order_by("-reported_at", "-id")[first : first + size]))


def event_for_request_id(service_request_id: str) -> GridEvent:
    event = _events().filter(receipt_number=normalize_receipt(service_request_id)).first()
    if event is None:
        raise NotFound(
            f"service_request_id {service_request_id} was not found（受理编号不存在）",
            field="service_request_id",
        )
    return event


def token_for(token: str) -> RequestToken:
    found = RequestToken.objects.select_related("event").filter(token=token).first()
    if found is None:
        raise NotFound(f"token {token} was not found（令牌不存在）", field="token")
    return found


def token_document(token: RequestToken) -> dict[str, Any]:
    return {"service_request_id": token.event.receipt_number, "token": token.token}


def service_notice(event: GridEvent) -> str:
    """The handling time limit the event runs under (its pinned standard row and the grid's class)."""
    row = event.standard
    if row is None:
        return "已受理，将按立案结案标准办理；可凭受理编号查询进度。"
    area_class = event.grid.area_class
    amount = row.limit_for_area(area_class)
    unit = UNIT_TITLES.get(row.unit, row.unit)
    version = row.version.number
    return (
        f"按立案结案标准 v{version}，本类问题在{area_class}类区域的处置时限为 {amount} {unit}"
        f"（自派遣签收起计）；可凭受理编号 {event.receipt_number} 查询进度。"
    )


def _status(event: GridEvent) -> str:
    state = event.work_item.state if event.work_item else ""
    return "closed" if state in TERMINAL_CLOSED else "open"


def _expected(event: GridEvent) -> str | None:
    """While open: the work item's overall deadline, else the deadline of its current step (after
    签收 that is the handling limit of the category standard); none once closed."""
    item = event.work_item
    if item is None or item.closed_at is not None or item.state in TERMINAL_CLOSED:
        return None
    return iso(item.due_at or item.step_due_at)


def _media_url(event: GridEvent, absolute: Any) -> str:
    """The first link or photo of the report: a link as the client sent it, a photo at its public address
    (grid.events.publication.is_public_report_photo: a resident's own, re-encoded, EXIF dropped) — never
    the storage's own address, which is not served."""
    for attachment in event.attachments.all():
        if attachment.stage != AttachmentStage.REPORT:
            continue
        if attachment.url:
            return str(attachment.url)
        if is_public_report_photo(event, attachment):
            return str(
                absolute(reverse("grid:public_report_photo", args=[event.receipt_number, attachment.pk]))
            )
    return ""


def _request_row(event: GridEvent, *, status_notes: str, absolute: Any) -> dict[str, Any]:
    item = event.work_item
    resident = event.channel in RESIDENT_CHANNELS
    updated = max(filter(None, [event.updated_at, item.updated_at if item else None]))
    channel_data = (event.attributes or {}).get("open311", {}) if isinstance(event.attributes, dict) else {}
    lat, lon = public_place(event)
    return {
        "service_request_id": event.receipt_number,
        "status": _status(event),
        "status_notes": status_notes,
        "service_name": event.category.name,
        "service_code": service_code_of(event.category),
        "description": event.description if description_is_public(event) else "",
        "agency_responsible": item.assigned_unit.name if item and item.assigned_unit else "",
        "service_notice": service_notice(event),
        "requested_datetime": iso(event.reported_at),
        "updated_datetime": iso(updated),
        "expected_datetime": _expected(event),
        "address": event.address,
        "address_id": channel_data.get("address_id") or event.grid_id,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": (_media_url(event, absolute) if resident else "") or None,
    }


def _status_notes(event: GridEvent) -> str:
    """The state in the resident's words (the tracking page's: grid.events.publication), and once
    handling ended the public reply staff wrote (never the internal result or void reason)."""
    item = event.work_item
    if item is None:
        return ""
    if item.state == "duplicate" and event.duplicate_of is not None:
        return f"重复件，随原件 {event.duplicate_of.receipt_number} 一并办理。Duplicate request."
    title = public_state_title(item.state)
    reply = event.public_reply.strip() if item.closed_at is not None else ""
    return f"{title}：{reply}" if reply else title


def request_documents(events: Sequence[GridEvent], absolute: Any) -> list[dict[str, Any]]:
    """The documents of GET requests through the publication path (channel open311.request): the
    description only when the reporter agreed and a moderator released it, photos only of residents' own
    reports, the place rounded for sensitive categories, free text scrubbed (the reporter's name and
    registered people's names masked). A constant number of queries whatever the list's length: the
    public wording is a table, the registered names are one lookup for the whole list."""
    rows = [_request_row(event, status_notes=_status_notes(event), absolute=absolute) for event in events]
    return publish_many("open311.request", rows, names=[[event.reporter_name] for event in events])


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]
