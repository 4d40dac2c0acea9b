"""Writes of patrols (巡查): a grid worker starts a round in their own grid, checks in once at each of the
grid's patrol items (with the phone's position when there is one) and ends the round."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.jurisdiction import may_see_code
from accounts.models import Assignment, Role, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, PermissionRefused, Unprocessable
from grid.models import Patrol, PatrolCheckIn, PatrolItem
from territory.locate import check_crs, check_lon_lat, locate
from territory.models import Grid

NOTE_MAX = 2000


def is_grid_worker_of(user: Any, grid_code: str) -> bool:
    """The grid's own grid worker: an active grid-worker assignment on exactly this grid."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return Assignment.objects.filter(
        user=user, active=True, role=Role.GRID_WORKER, territory_code=grid_code
    ).exists()


def _require_worker(actor: Any, grid: Grid) -> None:
    if not isinstance(actor, User) or not may_see_code(actor, grid.code):
        raise NotFound(f"未找到网格：{grid.code}", field="grid")
    if not is_grid_worker_of(actor, grid.code):
        raise PermissionRefused("not_allowed", "只有本网格的网格员可以巡查打卡。")


def _require_own_patrol(actor: Any, patrol: Patrol) -> None:
    if not isinstance(actor, User) or not may_see_code(actor, patrol.grid_id):
        raise NotFound("未找到该巡查。", field="patrol")
    if patrol.worker_id != actor.pk:
        raise PermissionRefused("not_allowed", "只能操作本人的巡查。")


def _patrol_snapshot(patrol: Patrol) -> dict[str, Any]:
    return {
        "grid": patrol.grid_id,
        "worker": patrol.worker_id,
        "started_at": patrol.started_at,
        "ended_at": patrol.ended_at,
    }


def do_start_patrol(grid: Grid, *, actor: Any, now: datetime) -> Patrol:
    """Open a patrol of `grid`. Only the grid's own grid worker; one open patrol per worker (409)."""
    _require_worker(actor, grid)
    with transaction.atomic():
        # Lock the worker's row so two taps of "开始巡查" cannot both open a patrol.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        open_patrol = Patrol.objects.filter(worker=actor, ended_at__isnull=True).first()
        if open_patrol is not None:
            raise Conflict(
                "patrol_open",
                f"您已有一次进行中的巡查（{open_patrol.grid_id}），请先结束它。",
                field="patrol",
            )
        patrol = Patrol.objects.create(worker=actor, grid=grid, started_at=now)
        record_event(
            actor=actor,
            action="grid.patrol_started",
            subject=patrol,
            territory_code=grid.code,
            after=_patrol_snapshot(patrol),
            now=now,
        )
    return patrol


def _checked_location(
    patrol: Patrol, lon: float | None, lat: float | None, crs: str
) -> tuple[float | None, float | None]:
    """The check-in position in WGS-84, which must lie in the patrol's grid; (None, None) without one."""
    if lon is None and lat is None:
        return None, None
    if lon is None or lat is None:
        raise DomainError("required", "经度和纬度须同时提供。", field="lon" if lon is None else "lat")
    crs = check_crs(crs)
    check_lon_lat(lon, lat)
    try:
        located = locate(lon, lat, crs=crs)
    except NotFound as exc:
        raise Unprocessable("outside_grid", "打卡位置不在本网格内。", field="lon") from exc
    if located.grid_code != patrol.grid_id:
        raise Unprocessable(
            "outside_grid", f"打卡位置在网格 {located.grid_code}，不在本网格内。", field="lon"
        )
    return located.lon, located.lat


def do_check_in(
    patrol: Patrol,
    patrol_item: PatrolItem,
    *,
    actor: Any,
    now: datetime,
    lon: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    normal: bool = True,
    note: str = "",
) -> PatrolCheckIn:
    """Check in at one patrol item of the patrol's grid, once per patrol (409 the second time)."""
    _require_own_patrol(actor, patrol)
    if patrol_item.grid_id != patrol.grid_id:
        raise DomainError("wrong_grid", "该巡查事项不属于本次巡查的网格。", field="patrol_item")
    if not patrol_item.active:
        raise DomainError("inactive", "该巡查事项已停用。", field="patrol_item")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError("too_long", f"说明不超过{NOTE_MAX}字。", field="note")
    if not normal and not note:
        raise DomainError("required", "发现异常时请填写说明。", field="note")
    wgs_lon, wgs_lat = _checked_location(patrol, lon, lat, crs)
    with transaction.atomic():
        locked = Patrol.objects.select_for_update().get(pk=patrol.pk)
        if locked.ended_at is not None:
            raise Conflict("patrol_ended", "本次巡查已结束，不能再打卡。", field="patrol")
        if PatrolCheckIn.objects.filter(patrol=locked, patrol_item=patrol_item).exists():
            raise Conflict(
                "already_checked_in", f"本次巡查已在“{patrol_item.name}”打过卡。", field="patrol_item"
            )
        check_in = PatrolCheckIn.objects.create(
            patrol=locked,
            patrol_item=patrol_item,
            checked_at=now,
            lon=wgs_lon,
            lat=wgs_lat,
            normal=normal,
            note=note,
        )
        record_event(
            actor=actor,
            action="grid.patrol_checked_in",
            subject=check_in,
            territory_code=locked.grid_id,
            after={
                "patrol": locked.pk,
                "patrol_item": patrol_item.pk,
                "lon": wgs_lon,
                "lat": wgs_lat,
                "normal": normal,
                "note": note,
            },
            now=now,
        )
    return check_in


def do_end_patrol(patrol: Patrol, *, actor: Any, now: datetime, note: str = "") -> Patrol:
    """Close the patrol (409 when it is already closed)."""
    _require_own_patrol(actor, patrol)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError("too_long", f"备注不超过{NOTE_MAX}字。", field="note")
    with transaction.atomic():
        locked = Patrol.objects.select_for_update().get(pk=patrol.pk)
        if locked.ended_at is not None:
            raise Conflict("patrol_ended", "本次巡查已经结束。", field="patrol")
        before = _patrol_snapshot(locked)
        locked.ended_at = max(now, locked.started_at)
        if note:
            locked.note = note
        locked.save(update_fields=["ended_at", "note"])
        record_event(
            actor=actor,
            action="grid.patrol_ended",
            subject=locked,
            territory_code=locked.grid_id,
            before=before,
            after=_patrol_snapshot(locked),
            now=now,
        )
    patrol.ended_at, patrol.note = locked.ended_at, locked.note
    return locked


def do_link_check_in_event(
    check_in: PatrolCheckIn, event: Any, *, actor: Any, now: datetime
) -> PatrolCheckIn:
    """Record that `event` was reported from this check-in (the worker found something wrong there)."""
    patrol = check_in.patrol
    _require_own_patrol(actor, patrol)
    if event.grid_id != patrol.grid_id:
        raise DomainError("wrong_grid", "事件不在本次巡查的网格内。", field="event")
    with transaction.atomic():
        locked = PatrolCheckIn.objects.select_for_update().get(pk=check_in.pk)
        if locked.event_id is not None and locked.event_id != event.pk:
            raise Conflict("already_linked", "该打卡已关联其他事件。", field="check_in")
        locked.event = event
        locked.normal = False
        locked.save(update_fields=["event", "normal"])
        record_event(
            actor=actor,
            action="grid.patrol_check_in_event_linked",
            subject=locked,
            territory_code=patrol.grid_id,
            after={"event": event.pk, "receipt_number": event.receipt_number},
            now=now,
        )
    return locked
