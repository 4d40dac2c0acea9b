"""Reads of patrols: a worker's open patrol, the items of a patrol with their check-ins, and patrol
coverage (check-ins done / due) for the figures.

What is "due": an active patrol item is due once per local (Asia/Shanghai) day if daily, once per ISO
week if weekly, once per calendar month if monthly, for every such slot that overlaps the period and
ends after the item was created. "Done" counts the due slots with at least one check-in inside the
period, so several check-ins in one slot count once and done never exceeds due."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from accounts.jurisdiction import scope_for
from accounts.models import User
from core.errors import DomainError, NotFound
from grid.models import Patrol, PatrolCheckIn, PatrolFrequency, PatrolItem
from territory.scoping import within

Slot = tuple[int, int, int]  # (year, number, day): day for daily, ISO week, or month


def _slot(day: date, frequency: str) -> Slot:
    if frequency == PatrolFrequency.DAILY:
        return (day.year, day.month, day.day)
    if frequency == PatrolFrequency.WEEKLY:
        iso = day.isocalendar()
        return (iso.year, iso.week, 0)
    return (day.year, day.month, 0)


def _slot_end(day: date, frequency: str) -> date:
    """The last day of the slot that contains `day`."""
    if frequency == PatrolFrequency.DAILY:
        return day
    if frequency == PatrolFrequency.WEEKLY:
        return day + timedelta(days=6 - day.weekday())
    next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return next_month - timedelta(days=1)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


@dataclass(frozen=True)
class ItemCoverage:
    """One patrol item's due slots over a period and those done (a subset), in slot order."""

    item_id: int
    grid_code: str
    frequency: str
    due: tuple[Slot, ...]
    done: frozenset[Slot]


def slot_first_day(slot: Slot, frequency: str) -> date:
    """The first local day of a slot (the day, the ISO week's Monday, the month's first day)."""
    year, number, day = slot
    if frequency == PatrolFrequency.DAILY:
        return date(year, number, day)
    if frequency == PatrolFrequency.WEEKLY:
        return date.fromisocalendar(year, number, 1)
    return date(year, number, 1)


def coverage_by_item(grid_codes: Iterable[str], start: datetime, end: datetime) -> list[ItemCoverage]:
    """Each active patrol item's due and done slots over [start, end) for the grids under `grid_codes`
    (grid, village or town codes: matched as prefixes), items in id order; an item with nothing due in
    the period is left out."""
    codes = [c for c in grid_codes if c]
    if not codes:
        return []
    if any(not c.isdigit() for c in codes):
        raise DomainError("invalid", "区划/网格代码须为数字。", field="grid_codes")
    if end <= start:
        return []
    first_day = _local_day(start)
    last_day = _local_day(end - timedelta(microseconds=1))
    items = list(
        PatrolItem.objects.filter(within(codes, "grid__code"), active=True, created_at__lt=end)
        .order_by("id")
        .values_list("id", "frequency", "created_at", "grid__code")
    )
    if not items:
        return []
    due_slots: dict[int, set[Slot]] = {}
    frequency_of: dict[int, str] = {}
    for item_id, frequency, created_at, _grid in items:
        created_day = _local_day(created_at)
        frequency_of[item_id] = frequency
        due_slots[item_id] = {
            _slot(day, frequency)
            for day in _days(first_day, last_day)
            if _slot_end(day, frequency) >= created_day
        }
    done_slots: dict[int, set[Slot]] = {}
    check_ins = PatrolCheckIn.objects.filter(
        patrol_item_id__in=list(frequency_of), checked_at__gte=start, checked_at__lt=end
    ).values_list("patrol_item_id", "checked_at")
    for item_id, checked_at in check_ins.iterator(chunk_size=5000):
        slot = _slot(_local_day(checked_at), frequency_of[item_id])
        if slot in due_slots[item_id]:
            done_slots.setdefault(item_id, set()).add(slot)
    return [
        ItemCoverage(
            item_id,
            grid_code,
            frequency,
            tuple(sorted(due_slots[item_id])),
            frozenset(done_slots.get(item_id, ())),
        )
        for item_id, frequency, _created, grid_code in items
        if due_slots[item_id]
    ]


def patrol_coverage(grid_codes: Iterable[str], start: datetime, end: datetime) -> tuple[int, int]:
    """(check-ins done, check-ins due) over [start, end) for the grids under `grid_codes` (grid, village
    or town codes: matched as prefixes)."""
    found = coverage_by_item(grid_codes, start, end)
    return sum(len(c.done) for c in found), sum(len(c.due) for c in found)


# ------------------------------------------------------------------------------------------ pages


def patrols_visible_to(user: User | AnonymousUser) -> QuerySet[Patrol]:
    return scope_for(user, Patrol.objects.select_related("grid", "worker"), "grid__code")


def open_patrol_of(user: User) -> Patrol | None:
    return Patrol.objects.select_related("grid").filter(worker=user, ended_at__isnull=True).first()


def get_patrol_for(user: User | AnonymousUser, patrol_id: int) -> Patrol:
    patrol = patrols_visible_to(user).filter(pk=patrol_id).first()
    if patrol is None:
        raise NotFound("未找到该巡查。", field="patrol")
    return patrol


def get_patrol_item(patrol: Patrol, item_id: int) -> PatrolItem:
    item = PatrolItem.objects.filter(pk=item_id, grid_id=patrol.grid_id).first()
    if item is None:
        raise NotFound("未找到该巡查事项。", field="patrol_item")
    return item


@dataclass(frozen=True)
class PatrolRow:
    item: PatrolItem
    check_in: PatrolCheckIn | None


def patrol_rows(patrol: Patrol) -> list[PatrolRow]:
    """The grid's active patrol items with this patrol's check-in at each (two queries)."""
    items = list(
        PatrolItem.objects.filter(grid_id=patrol.grid_id, active=True)
        .select_related("category")
        .order_by("id")
    )
    check_ins = {c.patrol_item_id: c for c in PatrolCheckIn.objects.filter(patrol=patrol)}
    return [PatrolRow(item, check_ins.get(item.pk)) for item in items]


def recent_patrols_of(user: User, limit: int = 5) -> list[Patrol]:
    return list(Patrol.objects.select_related("grid").filter(worker=user).order_by("-started_at")[:limit])
