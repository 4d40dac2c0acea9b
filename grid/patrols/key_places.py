"""Key places (重点场所) feed the grid's patrol items: every place is inspected once per period of its
`inspection_days`; when a new period starts the place falls due and its grid's patrol-items list gets
one item for it (name, the place's address as checkpoint, its point), the previous period's item
retired. Idempotent per period (a unique constraint on place + period start): running twice, or on two
workers at once, issues nothing more. The clock is passed in; the periodic task (grid/tasks.py) reads it.

Periods are counted in whole local days (Asia/Shanghai) from a fixed Monday, so a weekly place falls
due every Monday and every place's periods are the same whichever day the job first ran."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from grid.models import PatrolCheckIn, PatrolFrequency, PatrolItem
from grid.standards.actions import do_save_patrol_item
from registry.models import Address, KeyPlace
from territory.models import Grid

PERIOD_EPOCH = date(2024, 1, 1)  # a Monday
NAME_MAX = 100


@dataclass
class IssueReport:
    places: int = 0
    issued: int = 0
    already_issued: int = 0
    retired: int = 0
    skipped: int = 0  # places whose grid no longer exists or is inactive


def period_start(inspection_days: int, today: date) -> date:
    """The first day of the inspection period that `today` falls in."""
    days = max(1, inspection_days)
    return PERIOD_EPOCH + timedelta(days=((today - PERIOD_EPOCH).days // days) * days)


def frequency_for(inspection_days: int) -> str:
    """The patrol list's frequency label nearest the place's period."""
    if inspection_days <= 1:
        return PatrolFrequency.DAILY
    if inspection_days <= 7:
        return PatrolFrequency.WEEKLY
    return PatrolFrequency.MONTHLY


def _address(place: KeyPlace) -> Address | None:
    if place.address is not None:
        return place.address
    if place.building is not None:
        return place.building.address
    if place.entity is not None:
        return place.entity.address
    return None


def _item_for(place: KeyPlace, grid: Grid, due_on: date) -> PatrolItem:
    address = _address(place)
    has_point = address is not None and address.lon is not None and address.lat is not None
    name = f"重点场所巡查：{place.name}（{place.get_kind_display()}）"
    return PatrolItem(
        grid=grid,
        name=name[:NAME_MAX],
        frequency=frequency_for(place.inspection_days),
        checkpoint=(address.text if address else place.name)[:200],
        lon=address.lon if has_point and address else None,
        lat=address.lat if has_point and address else None,
        key_place=place,
        due_on=due_on,
    )


def do_issue_key_place_patrol_items(*, actor: User, now: datetime) -> IssueReport:
    """Issue this period's patrol item for every key place falling due (see the module docstring)."""
    today = timezone.localtime(now).date()
    report = IssueReport()
    grids = {g.code: g for g in Grid.objects.filter(active=True)}
    places = KeyPlace.objects.select_related("address", "building__address", "entity__address").order_by("pk")
    for place in places.iterator(chunk_size=500):
        report.places += 1
        grid = grids.get(place.territory_code)
        if grid is None:
            report.skipped += 1
            continue
        due_on = period_start(place.inspection_days, today)
        if PatrolItem.objects.filter(key_place=place, due_on=due_on).exists():
            report.already_issued += 1
            continue
        try:
            with transaction.atomic():
                do_save_patrol_item(_item_for(place, grid, due_on), actor=actor, now=now)
                for old in PatrolItem.objects.filter(key_place=place, active=True, due_on__lt=due_on):
                    old.active = False
                    do_save_patrol_item(old, actor=actor, now=now)
                    report.retired += 1
        except IntegrityError:  # another worker issued this period's item first
            report.already_issued += 1
            continue
        report.issued += 1
    return report


class Inspection:
    """Where a key place stands with its inspections today: `inspected` (checked in during the current
    period), `due` (checked in during the previous period, not yet in this one) or `missed` (not in the
    previous period either, or never)."""

    INSPECTED = "inspected"
    DUE = "due"
    MISSED = "missed"


@dataclass
class PlaceInspection:
    place: KeyPlace
    point: tuple[float, float] | None  # (lon, lat) of the place's address, if it has one
    period_start: date
    last_checked: datetime | None
    status: str


def _status(inspection_days: int, today: date, last_checked: datetime | None) -> str:
    start = period_start(inspection_days, today)
    if last_checked is None:
        return Inspection.MISSED
    last_day = timezone.localtime(last_checked).date()
    if last_day >= start:
        return Inspection.INSPECTED
    if last_day >= start - timedelta(days=max(1, inspection_days)):
        return Inspection.DUE
    return Inspection.MISSED


def place_inspections(prefix: str, now: datetime) -> list[PlaceInspection]:
    """Every key place under `prefix` with its inspection status at `now` (see `Inspection`): the last
    check-in on any of its patrol items, whichever period issued them. Two queries."""
    today = timezone.localtime(now).date()
    places = list(
        KeyPlace.objects.filter(territory_code__startswith=prefix)
        .select_related("address", "building__address", "entity__address")
        .order_by("territory_code", "name", "pk")
    )
    last = dict(
        PatrolCheckIn.objects.filter(patrol_item__key_place__in=places, checked_at__lte=now)
        .values("patrol_item__key_place")
        .annotate(last=Max("checked_at"))
        .values_list("patrol_item__key_place", "last")
    )
    out = []
    for place in places:
        address = _address(place)
        point = None
        if address is not None and address.lon is not None and address.lat is not None:
            point = (address.lon, address.lat)
        checked = last.get(place.pk)
        out.append(
            PlaceInspection(
                place=place,
                point=point,
                period_start=period_start(place.inspection_days, today),
                last_checked=checked,
                status=_status(place.inspection_days, today, checked),
            )
        )
    return out
