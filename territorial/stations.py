"""Station duties as work (站所职责): the town assigns a town-managed station (an animal-epidemic station's
inspections, a water station's checks) a duty over the town or one of its villages. The duty becomes
  - a patrol item on every active grid of that area (grid's own patrol-item action), so the grid workers
    check it on their rounds and report what is wrong as an event of the duty's category, and
  - a row of the responsibility list (grid's own action), so every event of that category filed there is
    routed to the station like to any other unit (吹哨报到).
Retiring the duty retires both. The town's office and leaders only; the grid-side writes run as the
system actor on the town's behalf (the master data belongs to stewards), the town's act is this module's
audit row."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.jurisdiction import may_see_code, scope_for
from accounts.models import OrgUnit, User
from audit.actions import record_event
from core.errors import DomainError, NotFound
from grid.models import Basis, Category, PatrolFrequency
from grid.standards.actions.grid_lists import do_add_patrol_item, do_save_patrol_item
from grid.standards.actions.responsibility import do_save_responsibility, do_set_responsibility
from territorial.actions import _text
from territorial.institutions import require_town_office
from territorial.models import StationDuty
from territory.models import Division, Grid
from workflow.actors import system_actor

AREA_LEVELS = (Division.Level.TOWN, Division.Level.VILLAGE)


def duties(user: User) -> QuerySet[StationDuty]:
    """Station duties within the user's jurisdiction."""
    rows = StationDuty.objects.select_related("station", "category", "responsibility__org_unit")
    return scope_for(user, rows, "station__territory_code")


def duty_for(user: User, pk: int) -> StationDuty:
    duty = duties(user).filter(pk=pk).first()
    if duty is None:
        raise NotFound(field="duty")
    return duty


def _area(actor: User, station: OrgUnit, code: str) -> list[Grid]:
    """The active grids of the town or village `code`, which must lie in the station's town."""
    code = (code or "").strip()
    if not code:
        raise DomainError("required", _("请选择覆盖的镇（街道）或村（社区）。"), field="territory_code")
    area = Division.objects.filter(code=code, level__in=AREA_LEVELS).first()
    if area is None or not (actor.is_system or may_see_code(actor, code)):
        raise NotFound(field="territory_code")
    if not code.startswith(station.territory_code[:9]):
        raise DomainError("outside_town", _("覆盖区域须在站所所属镇（街道）内。"), field="territory_code")
    grids = list(Grid.objects.filter(code__startswith=code, active=True).order_by("code"))
    if not grids:
        raise DomainError("no_grids", _("该区域没有启用的网格。"), field="territory_code", status=422)
    return grids


def do_assign_station_duty(
    station: OrgUnit,
    *,
    name: str,
    category: Category | None,
    frequency: str,
    territory_code: str,
    actor: User,
    now: datetime,
    checkpoint: str = "",
) -> StationDuty:
    require_town_office(actor, station, field="station")
    if station.kind != OrgUnit.Kind.STATION:
        raise DomainError("not_a_station", _("只有站所可以登记巡查职责。"), field="station")
    name = _text(name, "name", 80)
    if category is None or not category.active:
        raise DomainError("required", _("请选择职责对应的事件分类。"), field="category")
    if frequency not in PatrolFrequency.values:
        raise DomainError("invalid_choice", _("频次应为 daily、weekly 或 monthly。"), field="frequency")
    checkpoint = (checkpoint or "").strip()
    if len(checkpoint) > 200:
        raise DomainError("too_long", _("巡查点位不超过 200 字。"), field="checkpoint")
    grids = _area(actor, station, territory_code)
    code = territory_code.strip()
    if StationDuty.objects.filter(
        station=station, category=category, territory_code=code, retired_at__isnull=True
    ).exists():
        raise DomainError("duplicate", _("该站所在此区域已有同一分类的职责。"), field="category", status=409)
    system = system_actor()
    with transaction.atomic():
        routed = do_set_responsibility(
            category=category,
            territory_code=code,
            basis=Basis.TERRITORIAL,
            org_unit=station,
            actor=system,
            now=now,
            note=f"站所职责：{name}",
        )
        items = [
            do_add_patrol_item(
                grid,
                name=f"{name}（{station.name}）"[:100],
                frequency=frequency,
                category=category,
                checkpoint=checkpoint,
                actor=system,
                now=now,
            )
            for grid in grids
        ]
        duty = StationDuty.objects.create(
            station=station,
            name=name,
            category=category,
            frequency=frequency,
            territory_code=code,
            checkpoint=checkpoint,
            responsibility=routed,
            assigned_by=actor,
            assigned_at=now,
        )
        duty.patrol_items.set(items)
        record_event(
            actor=actor,
            action="territorial.assign_station_duty",
            subject=duty,
            territory_code=station.territory_code,
            after={
                "station": station.code,
                "name": name,
                "category": category.code,
                "territory_code": code,
                "patrol_items": [i.pk for i in items],
                "responsibility": routed.pk,
            },
            now=now,
        )
    return duty


def do_retire_station_duty(duty: StationDuty, *, actor: User, now: datetime) -> StationDuty:
    """The duty ends: its patrol items leave the grids' lists and the station stops receiving its events
    (unless the responsibility list has since named another unit, which stays as it is)."""
    require_town_office(actor, duty.station, field="duty")
    system = system_actor()
    with transaction.atomic():
        locked = StationDuty.objects.select_for_update().get(pk=duty.pk)
        if locked.retired_at is not None:
            raise DomainError("already_retired", _("该职责已撤销。"), field="duty", status=409)
        for item in locked.patrol_items.filter(active=True):
            item.active = False
            do_save_patrol_item(item, actor=system, now=now)
        entry = locked.responsibility
        if entry is not None and entry.active and entry.org_unit_id == locked.station_id:
            entry.active = False
            do_save_responsibility(entry, actor=system, now=now)
        locked.retired_at = now
        locked.save(update_fields=["retired_at"])
        record_event(
            actor=actor,
            action="territorial.retire_station_duty",
            subject=locked,
            territory_code=locked.station.territory_code,
            after={"retired_at": now.isoformat()},
            now=now,
        )
    return locked
