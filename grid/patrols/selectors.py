"""Reads of patrols: a worker's open patrol, the items of a patrol with their check-ins, and patrol
coverage (check-ins done / due) for the figures.

What is "due": an active patrol item is due once per local (Asia/Shanghai) day if daily, once per ISO
week if weekly, once per calendar month if monthly, for every such slot that overlaps the period and
ends after the item was created. "Done" counts the due slots with at least one check-in inside the
period, so several check-ins in one slot count once and done never exceeds due.

The slots of the period are listed once per frequency (their last days, in order); an item's due slots are
those ending on or after its creation day (a bisection), so a district's year costs one pass over the
period's days, not one per item and day. The done slots are counted by the database (each check-in's
slot is its local day, ISO week or month truncated there); only the items created inside the period,
whose first slots may not be due, send their slots back to be checked one by one.

`coverage_by_item` lists the slots themselves, item by item, for drill-downs and per-unit figures: the same
definition, slot by slot (a test holds the two equal)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, DateField, QuerySet, When
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
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


def _period_items(
    grid_codes: Iterable[str], start: datetime, end: datetime
) -> tuple[QuerySet[PatrolItem], date, date] | None:
    """The active patrol items under `grid_codes` (grid, village or town codes: prefixes) that exist before
    the period's end, and the period's first and last local days; None when nothing can be due (no code,
    an empty period). A code that is not digits is refused."""
    codes = [c for c in grid_codes if c]
    if not codes:
        return None
    if any(not c.isdigit() for c in codes):
        raise DomainError("invalid", "区划/网格代码须为数字。", field="grid_codes")
    if end <= start:
        return None
    items = PatrolItem.objects.filter(within(codes, "grid__code"), active=True, created_at__lt=end)
    return items, _local_day(start), _local_day(end - timedelta(microseconds=1))


def coverage_by_item(grid_codes: Iterable[str], start: datetime, end: datetime) -> list[ItemCoverage]:
    """Each active patrol item's due and done slots over [start, end) for the grids under `grid_codes`
    (grid, village or town codes: matched as prefixes), items in id order; an item with nothing due in
    the period is left out."""
    period = _period_items(grid_codes, start, end)
    if period is None:
        return []
    active, first_day, last_day = period
    items = list(active.order_by("id").values_list("id", "frequency", "created_at", "grid__code"))
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
    period = _period_items(grid_codes, start, end)
    if period is None:
        return 0, 0
    active, first_day, last_day = period
    items = list(active.values_list("id", "frequency", "created_at"))
    if not items:
        return 0, 0
    # The last day of every slot that overlaps the period, per frequency, in order.
    slot_ends: dict[str, list[date]] = {}
    for frequency in {frequency for _id, frequency, _created in items}:
        slot_ends[frequency] = sorted({_slot_end(day, frequency) for day in _days(first_day, last_day)})
    frequency_of: dict[int, str] = {}
    created_day_of: dict[int, date] = {}
    due = 0
    for item_id, frequency, created_at in items:
        created_day = created_day_of[item_id] = _local_day(created_at)
        frequency_of[item_id] = frequency
        ends = slot_ends[frequency]
        due += len(ends) - bisect_left(ends, created_day)
    check_ins = PatrolCheckIn.objects.filter(
        patrol_item__in=active,
        checked_at__gte=start,
        checked_at__lt=end,
    )
    local, day = timezone.get_current_timezone(), DateField()
    # (item, the first local day of its check-in's slot); no ordering, whose columns would join the DISTINCT.
    slots = (
        check_ins.annotate(
            slot=Case(
                When(
                    patrol_item__frequency=PatrolFrequency.DAILY,
                    then=TruncDay("checked_at", output_field=day, tzinfo=local),
                ),
                When(
                    patrol_item__frequency=PatrolFrequency.WEEKLY,
                    then=TruncWeek("checked_at", output_field=day, tzinfo=local),
                ),
                default=TruncMonth("checked_at", output_field=day, tzinfo=local),
                output_field=day,
            )
        )
        .values_list("patrol_item_id", "slot")
        .order_by()
    )
    # Created before the period: every slot the period overlaps is due (it ends on or after its start).
    done = slots.filter(patrol_item__created_at__lt=start).distinct().count()
    for item_id, slot_start in slots.filter(patrol_item__created_at__gte=start).distinct():
        if isinstance(slot_start, datetime):  # PostgreSQL's DATE_TRUNC inside CASE: a local timestamp
            slot_start = slot_start.date()
        if _slot_end(slot_start, frequency_of[item_id]) >= created_day_of[item_id]:
            done += 1
    return done, due


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
