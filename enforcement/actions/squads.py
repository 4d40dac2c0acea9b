"""Squads and officers: a squad's area (2–6 zones' villages) and an officer's post."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import OrgUnit, Role, User
from audit.actions import record_event
from core.errors import DomainError, NotFound, PermissionRefused
from enforcement.models import OfficerPost, SquadArea
from territory.models import EnforcementZone, Grid
from territory.zones import check_zone_size

# ---------------------------------------------------------------------------------------------- squads


def _require_admin(actor: User, code: str) -> None:
    roles = user_roles(actor)
    if not actor.is_system and not (roles & {Role.SQUAD_LEADER, Role.LEADER, Role.DATA_STEWARD}):
        raise PermissionRefused("not_allowed", "只有中队长、领导或数据管理员可以维护执法岗位。")
    if not actor.is_system and not may_see_code(actor, code):
        raise NotFound(field="squad")


def do_set_squad_area(squad: OrgUnit, zone: EnforcementZone, *, actor: User, now: datetime) -> SquadArea:
    """The squad covers the zone (2–6 villages of its town)."""
    _require_admin(actor, squad.territory_code)
    if squad.kind != OrgUnit.Kind.SQUAD:
        raise DomainError("invalid", "只能为执法中队设置片区。", field="squad")
    if zone.town_id != squad.territory_code[:9]:
        raise DomainError("invalid", "片区不在中队所属镇（街道）。", field="zone")
    check_zone_size(zone.villages.count(), field="zone")
    with transaction.atomic():
        area, _created = SquadArea.objects.update_or_create(zone=zone, defaults={"squad": squad})
        record_event(
            actor=actor,
            action="enforcement.set_squad_area",
            subject=area,
            territory_code=squad.territory_code,
            after={"squad": squad.code, "zone": zone.code},
            now=now,
        )
    return area


def do_post_officer(
    officer: User,
    squad: OrgUnit,
    grid_codes: Sequence[str],
    *,
    actor: User,
    now: datetime,
    is_leader: bool = False,
) -> OfficerPost:
    """Post an officer to a squad and to grids of the squad's town (巡查在内)."""
    _require_admin(actor, squad.territory_code)
    if squad.kind != OrgUnit.Kind.SQUAD:
        raise DomainError("invalid", "只能派驻到执法中队。", field="squad")
    grids = list(Grid.objects.filter(code__in=list(grid_codes)))
    if len(grids) != len(set(grid_codes)):
        raise DomainError("invalid", "网格代码不存在。", field="grids")
    if any(not g.code.startswith(squad.territory_code[:9]) for g in grids):
        raise DomainError("invalid", "网格不在中队所属镇（街道）。", field="grids")
    with transaction.atomic():
        post, _created = OfficerPost.objects.update_or_create(
            officer=officer, squad=squad, defaults={"is_leader": is_leader, "active": True, "started_at": now}
        )
        post.grids.set(grids)
        record_event(
            actor=actor,
            action="enforcement.post_officer",
            subject=post,
            territory_code=squad.territory_code,
            after={"officer": officer.username, "squad": squad.code, "grids": sorted(g.code for g in grids)},
            now=now,
        )
    return post
