"""Reads of grid events, scoped by jurisdiction (the event's `territory_code` = its grid's code), plus the
public view of one report that a resident may see with the receipt number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts.jurisdiction import scope_for
from accounts.models import User
from core.errors import DomainError, NotFound
from core.publication import publish
from core.refcache import RefCache, attach
from grid.events.duplicates import candidates_with_distance
from grid.events.duplicates import duplicate_candidates as _duplicate_candidates
from grid.events.publication import (
    INTAKE_EXPECTED,
    INTAKE_STATE_TITLE,
    PUBLIC_STEPS,
    after_photo_ids,
    public_expectation,
    public_state,
    public_state_title,
    public_timeline,
)
from grid.models import Category, EventChannel, GridEvent, ReportIntake, RoutingDecision
from territory.refs import DIVISIONS, GRIDS
from territory.scoping import within
from workflow.deadlines import time_left
from workflow.listing import USERS, attach_item_references
from workflow.models import WorkItem

CATEGORIES: RefCache[Category] = RefCache(Category, ttl=60.0)

SUBJECT_TYPE = "grid.gridevent"  # GridEvent._meta.label_lower: work items, routing decisions, audit rows
RECEIPT_PREFIX = "SJ"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_READ = str.maketrans({"O": "0", "I": "1", "L": "1"})
TERMINAL_STATES = ("closed", "voided", "duplicate")

__all__ = [
    "SUBJECT_TYPE",
    "EventFilters",
    "attach_event_references",
    "duplicate_candidates",
    "event_by_receipt",
    "events_visible_to",
    "filter_events",
    "get_event_for",
    "latest_routing",
    "lean_events",
    "may_rate",
    "normalize_receipt",
    "public_status",
    "unrouted_events_for",
]


def _base() -> QuerySet[GridEvent]:
    return GridEvent.objects.select_related(
        "category",
        "category__parent",
        "grid",
        "grid__village",
        "standard",
        "reporter",
        "duplicate_of",
        "work_item",
        "work_item__process_version",
        "work_item__assigned_unit",
        "work_item__assignee",
    )


def events_visible_to(user: User | AnonymousUser) -> QuerySet[GridEvent]:
    """Every event in the user's jurisdiction, with its category, grid and work item joined."""
    return scope_for(user, _base(), "territory_code")


def lean_events(queryset: QuerySet[GridEvent]) -> QuerySet[GridEvent]:
    """A list query joining only the work item (an 11-table join costs more to plan than to run); the
    reference rows come from `attach_event_references`."""
    return queryset.select_related(None).select_related("work_item")


def attach_event_references(events: Sequence[GridEvent]) -> None:
    """Category, grid, reporter, original and the work item's references of a page of events, from the
    process caches and one query for the originals: a bounded number of queries whatever the page size."""
    if not events:
        return
    attach(events, "category", CATEGORIES)
    attach(events, "grid", GRIDS)
    # The pages show the major class and the village beside them: from the same caches.
    attach({e.category for e in events if e.category is not None}, "parent", CATEGORIES)
    attach({e.grid for e in events if e.grid is not None}, "village", DIVISIONS)
    attach(events, "reporter", USERS)
    original_ids = {e.duplicate_of_id for e in events if e.duplicate_of_id is not None}
    originals = GridEvent.objects.only("id", "receipt_number").in_bulk(original_ids) if original_ids else {}
    field = GridEvent._meta.get_field("duplicate_of")
    for event in events:
        field.set_cached_value(event, originals.get(event.duplicate_of_id))
    attach_item_references([e.work_item for e in events])


def get_event_for(user: User | AnonymousUser, event_id: int) -> GridEvent:
    """The event, or NotFound when it does not exist or lies outside the user's jurisdiction."""
    event = events_visible_to(user).filter(pk=event_id).first()
    if event is None:
        raise NotFound("未找到该事件。", field="event")
    return event


def normalize_receipt(text: str) -> str:
    """Upper case, blanks and dashes removed, and the Crockford look-alikes (O→0, I/L→1) read in the
    date and random parts, so a number typed from a phone call still matches."""
    value = "".join(ch for ch in (text or "").strip().upper() if ch not in " -")
    if value.startswith(RECEIPT_PREFIX):
        value = RECEIPT_PREFIX + value[len(RECEIPT_PREFIX) :].translate(_CROCKFORD_READ)
    return value


def event_by_receipt(receipt_number: str) -> GridEvent:
    """Public tracking: the event with this receipt number (not scoped), or NotFound."""
    value = normalize_receipt(receipt_number)
    event = _base().filter(receipt_number=value).first() if value else None
    if event is None:
        raise NotFound("未找到该受理编号。", field="receipt_number")
    return event


def duplicate_candidates(event: GridEvent) -> QuerySet[GridEvent]:
    """Open events of the same minor class near the event in place and time (grid/events/duplicates.py)."""
    return _duplicate_candidates(event)


def duplicate_candidates_with_distance(event: GridEvent) -> list[tuple[GridEvent, float]]:
    return [(c.event, c.distance_m) for c in candidates_with_distance(event)]


def _latest_decision() -> QuerySet[RoutingDecision]:
    return RoutingDecision.objects.filter(
        subject_type=SUBJECT_TYPE, subject_id=Cast(OuterRef("pk"), output_field=CharField())
    ).order_by("-decided_at", "-id")


def unrouted_events_for(user: User | AnonymousUser) -> QuerySet[GridEvent]:
    """The unrouted queue: filed events waiting for dispatch whose latest routing decision found no
    unit (routing runs at filing and at every dispatch)."""
    latest = _latest_decision()
    return (
        events_visible_to(user)
        .filter(work_item__state="filed", work_item__closed_at__isnull=True)
        .annotate(
            last_route_id=Subquery(latest.values("id")[:1]),
            last_route_unit=Subquery(latest.values("chosen_unit_id")[:1]),
        )
        .filter(last_route_id__isnull=False, last_route_unit__isnull=True)
        .order_by("reported_at", "id")
    )


def latest_routing(event: GridEvent) -> RoutingDecision | None:
    return (
        RoutingDecision.objects.filter(subject_type=SUBJECT_TYPE, subject_id=str(event.pk))
        .select_related("chosen_unit")
        .order_by("-decided_at", "-id")
        .first()
    )


# ---------------------------------------------------------------------------------------------- lists


@dataclass(frozen=True)
class EventFilters:
    state: str = ""
    category: str = ""
    channel: str = ""
    grid: str = ""
    town: str = ""
    village: str = ""
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool = False
    unrouted: bool = False


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def filter_events(user: User | AnonymousUser, filters: EventFilters, *, now: datetime) -> QuerySet[GridEvent]:
    """The scoped event list with the list page's filters; newest first."""
    queryset = unrouted_events_for(user) if filters.unrouted else events_visible_to(user)
    if filters.state:
        queryset = queryset.filter(work_item__state=filters.state)
    if filters.category:
        queryset = queryset.filter(
            Q(category__code=filters.category) | Q(category__parent__code=filters.category)
        )
    if filters.channel:
        if filters.channel not in EventChannel.values:
            raise DomainError("invalid", f"未知的来源渠道：{filters.channel}", field="channel")
        queryset = queryset.filter(channel=filters.channel)
    for name, code, length in (
        ("grid", filters.grid, 15),
        ("village", filters.village, 12),
        ("town", filters.town, 9),
    ):
        if code:
            if len(code) != length or not code.isdigit():
                raise DomainError("invalid", f"{name} 代码应为{length}位数字。", field=name)
            queryset = queryset.filter(within([code], "territory_code"))
    if filters.date_from:
        queryset = queryset.filter(reported_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(reported_at__lt=_local_midnight(filters.date_to + timedelta(days=1)))
    if filters.overdue:
        queryset = queryset.filter(work_item__closed_at__isnull=True, work_item__step_due_at__lte=now)
    return queryset.order_by("-reported_at", "-id")


# ---------------------------------------------------------------------------------------------- public


def effective_item(event: GridEvent) -> WorkItem | None:
    """The work item whose progress the reporter sees: a duplicate follows its original."""
    if event.duplicate_of_id is not None and event.duplicate_of is not None:
        return event.duplicate_of.work_item
    return event.work_item


def may_rate(event: GridEvent) -> bool:
    """A rating is possible once, after the (original's) closure."""
    item = effective_item(event)
    return item is not None and item.state == "closed" and event.rating is None


def public_status(event: GridEvent, *, now: datetime | None = None) -> dict[str, Any]:
    """What a resident holding the receipt number may see, through the publication path (channel
    grid.public_status): no names or phone numbers of anyone, no staff identities, only the handling
    unit's name, and of what was done only the public reply (never the internal result text), the
    public timeline and the after-photos. The state in the resident's words (`public_state`,
    `state_title`) is the one the receipt, the tracking page, the API and Open311 all show. A duplicate
    shows its original's progress and reply. `now` defaults to the clock (outermost use)."""
    now = now or timezone.now()
    item = effective_item(event)
    state, state_title, closed_at, unit_name, left, deadline = "", "", None, None, None, None
    expected = None
    if item is not None:
        state = item.state
        state_title = public_state_title(state)
        closed_at = item.closed_at
        unit_name = item.assigned_unit.name if item.assigned_unit is not None else None
        remaining = time_left(item, now)
        left = remaining.display if remaining is not None else None
        deadline = item.step_due_at
        expected = public_expectation(item, now)
    replying = event.duplicate_of if event.duplicate_of is not None else event
    row = {
        "receipt_number": event.receipt_number,
        "kind": event.kind,
        "category": {"code": event.category.code, "name": event.category.name},
        "reported_at": event.reported_at,
        "status": "closed" if (item is None or item.closed_at is not None) else "open",
        "state": state,
        "public_state": public_state(state) if state else "",
        "state_title": state_title,
        "handling_unit": unit_name,
        "deadline": deadline,
        "time_left": left,
        "expected": expected,
        "closed_at": closed_at,
        "timeline": public_timeline(event, item),
        "public_reply": replying.public_reply,
        "after_photos": [
            reverse("grid:public_photo", args=[event.receipt_number, pk]) for pk in after_photo_ids(item)
        ],
        "duplicate_of": event.duplicate_of.receipt_number if event.duplicate_of is not None else None,
        "rating": event.rating,
        "rating_allowed": may_rate(event) and event.reporter_id is None,
    }
    return publish("grid.public_status", row, names=[event.reporter_name, replying.reporter_name])


def intake_by_receipt(receipt_number: str) -> ReportIntake | None:
    """The intake row of a resident's report with this receipt number (any state), or None."""
    value = normalize_receipt(receipt_number)
    return ReportIntake.objects.filter(receipt_number=value).first() if value else None


def intake_status(intake: ReportIntake, category: Category) -> dict[str, Any]:
    """`public_status` of a report received but not registered yet (grid.events.intake): received, the
    first line of the timeline, nothing else yet; the same publication channel and fields."""
    row = {
        "receipt_number": intake.receipt_number,
        "kind": intake.report["kind"],
        "category": {"code": category.code, "name": category.name},
        "reported_at": intake.received_at,
        "status": "open",
        "state": "",
        "public_state": "received",
        "state_title": str(INTAKE_STATE_TITLE),
        "handling_unit": None,
        "deadline": None,
        "time_left": None,
        "expected": str(INTAKE_EXPECTED),
        "closed_at": None,
        "timeline": [{"at": intake.received_at, "text": str(PUBLIC_STEPS["start"])}],
        "public_reply": "",
        "after_photos": [],
        "duplicate_of": None,
        "rating": None,
        "rating_allowed": False,
    }
    return publish("grid.public_status", row, names=[intake.report["reporter_name"]])


def status_by_receipt(receipt_number: str, *, now: datetime) -> tuple[dict[str, Any], Category]:
    """What the holder of a receipt number sees, and the report's category: from the event once it exists,
    before that from the intake row (the receipt and every tracking door agree). NotFound for neither."""
    try:
        event = event_by_receipt(receipt_number)
    except NotFound:
        intake = intake_by_receipt(receipt_number)
        if intake is None:
            raise
        category = Category.objects.get(kind=intake.report["kind"], code=intake.report["category_code"])
        return intake_status(intake, category), category
    return public_status(event, now=now), event.category
