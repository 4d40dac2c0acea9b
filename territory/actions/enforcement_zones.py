"""The admin's saves of enforcement zones (执法片区): a code of its town + 2 digits, villages of that town,
as many as the zone size allows (`territory.zones`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from audit.actions import record_event
from core.errors import DomainError
from territory.actions.common import require_steward
from territory.models import Division, EnforcementZone
from territory.zones import check_zone_size


def validate_enforcement_zone(zone: EnforcementZone, villages: list[Division]) -> Division:
    """The rules of a zone save (also run by the admin form); returns the town."""
    town = Division.objects.filter(code=zone.town_id).first()
    if town is None or town.level != Division.Level.TOWN:
        raise DomainError("invalid_town", "所属镇/街道不存在。Unknown town.", field="town")
    code = zone.code
    if not (code.isascii() and code.isdigit() and len(code) == 11 and code.startswith(town.code)):
        raise DomainError(
            "invalid_code",
            f"片区编码须为镇/街道代码 {town.code} 加 2 位数字。Zone code = town code + 2 digits.",
            field="code",
        )
    foreign = sorted(
        v.code for v in villages if v.parent_id != town.code or v.level != Division.Level.VILLAGE
    )
    if foreign:
        raise DomainError(
            "village_outside_town",
            f"以下村/社区不属于 {town.name}：{', '.join(foreign)}。Villages outside the town.",
            field="villages",
        )
    check_zone_size(len({v.code for v in villages}))
    return town


def do_save_enforcement_zone(
    zone: EnforcementZone, *, villages: list[Division], actor: Any, now: datetime
) -> EnforcementZone:
    """Create or change an enforcement zone: a code of its town + 2 digits, villages of that town."""
    with transaction.atomic():
        require_steward(actor)
        town = validate_enforcement_zone(zone, villages)
        old = EnforcementZone.objects.select_for_update().filter(code=zone.code).first()
        before = _zone_snapshot(old, [v.code for v in old.villages.all()]) if old is not None else None
        zone.save()
        zone.villages.set(villages)
        after = _zone_snapshot(zone, [v.code for v in villages])
        if before != after:
            record_event(
                actor=actor,
                action="territory.zone.created" if before is None else "territory.zone.changed",
                subject=zone,
                territory_code=town.code,
                before=before,
                after=after,
                now=now,
            )
    return zone


def do_delete_enforcement_zone(zone: EnforcementZone, *, actor: Any, now: datetime) -> None:
    with transaction.atomic():
        require_steward(actor)
        before = _zone_snapshot(zone, [v.code for v in zone.villages.all()])
        code, town = zone.code, zone.town_id
        zone.delete()
        record_event(
            actor=actor,
            action="territory.zone.deleted",
            subject_type="territory.enforcementzone",
            subject_id=code,
            territory_code=town,
            before=before,
            now=now,
        )


def _zone_snapshot(zone: EnforcementZone, village_codes: list[str]) -> dict[str, Any]:
    return {"name": zone.name, "town": zone.town_id, "villages": sorted(village_codes)}
