"""The items behind a figure: the grid events whose rollup contribution (grid/figures/rollup.py's
contributor, the one definition of what an item counts) holds the figure's key in the period. So the
list's length equals the figure by construction, and the test proves it. Only count indicators drill down;
a rate drills down through its numerator or denominator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from command.cuts import EVERYTHING, Cut, contributions
from grid.figures.rollup import PROCESS
from grid.models import GridEvent
from workflow.models import WorkItem
from workflow.rollups import Key

Predicate = Callable[[Key, date, date], bool]


def _flags(key: Key) -> dict[str, str]:
    return dict(part.split("=", 1) for part in key.flags.split(",")) if key.flags else {}


def _due(key: Key, first: date, end: date) -> bool:
    if key.measure == "closing":
        return first <= key.day < end and key.since_day >= first
    return key.measure == "overdue_first" and first <= key.day < end and key.closed_day >= end


def _deferred(key: Key, first: date, end: date) -> bool:
    if not _due(key, first, end):
        return False
    return _flags(key).get("def") == "1" if key.measure == "closing" else key.deferred_day < end


PREDICATES: dict[str, Predicate] = {
    "accepted": lambda k, f, e: k.measure == "valid" and f <= k.day < e,
    "filed": lambda k, f, e: k.measure == "filed" and f <= k.day < e,
    "closed": lambda k, f, e: k.measure == "closing" and f <= k.day < e,
    "due": _due,
    "deferred": _deferred,
    "overdue_open": lambda k, f, e: k.measure == "overdue_first" and k.day < e and k.closed_day >= e,
    "resident_reports": lambda k, f, e: k.measure == "resident_reports" and f <= k.day < e,
    "missed_reports": lambda k, f, e: k.measure == "missed_reports" and f <= k.day < e,
}


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def items_behind(
    indicator: str, prefix: str, first_day: date, end_day: date, cut: Cut = EVERYTHING
) -> list[WorkItem]:
    """The work items counted by a count indicator under the prefix over [first_day, end_day), inside
    the cut (a class, a channel, the unit holding them): as many as the figure of the same cut."""
    predicate = PREDICATES[indicator]
    start, end = _midnight(first_day), _midnight(end_day)
    # Candidates: items that existed before the end and were not finished before the start (an item
    # overdue and still open at the end counts in overdue_open whatever the start).
    alive = Q(closed_at__isnull=True) | Q(closed_at__gte=start)
    if indicator == "overdue_open":
        alive = Q(closed_at__isnull=True) | Q(closed_at__gte=end)
    event_items = GridEvent.objects.filter(territory_code__startswith=prefix).values("work_item_id")
    candidates = (
        WorkItem.objects.filter(process_name=PROCESS, created_at__lt=end)
        .filter(Q(territory_code__startswith=prefix) | Q(pk__in=event_items))
        .filter(alive)
    )
    if cut.unit is not None:
        candidates = candidates.filter(assigned_unit=cut.unit)
    items = list(candidates.order_by("created_at", "pk"))
    out = []
    for item, keys in contributions(items):
        n = sum(
            count
            for key, count in keys.items()
            if key.territory_code.startswith(prefix) and predicate(key, first_day, end_day) and cut.keeps(key)
        )
        if n:
            out.append(item)
    return out


def describe(items: list[WorkItem]) -> list[dict[str, Any]]:
    events = {
        e.work_item_id: e for e in GridEvent.objects.filter(work_item__in=items).select_related("category")
    }
    rows = []
    for item in items:
        event = events.get(item.pk)
        rows.append(
            {
                "id": item.pk,
                "receipt_number": event.receipt_number if event else "",
                "title": item.title,
                "state": item.state,
                "territory_code": item.territory_code,
                "category": event.category.display_name if event and event.category_id else "",
                "created_at": item.created_at,
                "overdue": item.overdue_at is not None,
                "url": reverse("grid:event", args=[event.pk]) if event else "",
            }
        )
    return rows
