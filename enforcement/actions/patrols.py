"""Patrol logs: an officer starts a log, adds checks on the way, ends it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from enforcement.models import OfficerPost, PatrolCheck, PatrolKind, PatrolLog
from territory.locate import locate
from territory.models import Grid

# ---------------------------------------------------------------------------------------------- patrols


def _officer_post(actor: User) -> OfficerPost:
    post = OfficerPost.objects.select_related("squad").filter(officer=actor, active=True).first()
    if post is None:
        raise PermissionRefused("not_allowed", "您没有执法岗位，不能记录执法巡查。")
    return post


def do_start_patrol_log(*, kind: str, actor: User, now: datetime) -> PatrolLog:
    if kind not in PatrolKind.values:
        raise DomainError("invalid", "巡查方式须为定点值守或流动巡查。", field="kind")
    post = _officer_post(actor)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if PatrolLog.objects.filter(officer=actor, ended_at__isnull=True).exists():
            raise Conflict("patrol_open", "您有一次巡查尚未结束。")
        log = PatrolLog.objects.create(
            officer=actor,
            squad=post.squad,
            kind=kind,
            territory_code=post.squad.territory_code,
            started_at=now,
        )
        record_event(
            actor=actor,
            action="enforcement.start_patrol",
            subject=log,
            territory_code=log.territory_code,
            after={"kind": kind},
            now=now,
        )
    return log


def _own_open_log(log: PatrolLog, actor: User) -> None:
    if log.officer_id != actor.pk:
        raise NotFound("未找到该巡查。", field="patrol")
    if log.ended_at is not None:
        raise Conflict("patrol_closed", "该巡查已结束。")


def do_add_patrol_check(
    log: PatrolLog,
    *,
    actor: User,
    now: datetime,
    checkpoint: str = "",
    lon: float | None = None,
    lat: float | None = None,
    finding: str = "",
) -> PatrolCheck:
    """A point of the round: time, position (located to its grid) and what was found."""
    _own_open_log(log, actor)
    if log.kind == PatrolKind.CHECKPOINT and not checkpoint.strip():
        raise DomainError("required", "定点值守须填写点位。", field="checkpoint")
    grid: Grid | None = None
    if lon is not None and lat is not None:
        grid = Grid.objects.get(code=locate(lon, lat).grid_code)
        if not grid.code.startswith(log.territory_code):
            raise DomainError("invalid", "该位置不在本中队所属镇（街道）。", field="lon")
    with transaction.atomic():
        check = PatrolCheck.objects.create(
            log=log,
            at=now,
            checkpoint=checkpoint.strip(),
            lon=lon,
            lat=lat,
            grid=grid,
            finding=finding.strip(),
        )
        record_event(
            actor=actor,
            action="enforcement.patrol_check",
            subject=check,
            territory_code=grid.code if grid else log.territory_code,
            after={"log": log.pk, "checkpoint": check.checkpoint, "finding": bool(check.finding)},
            now=now,
        )
    return check


def do_end_patrol_log(log: PatrolLog, *, actor: User, now: datetime, summary: str = "") -> PatrolLog:
    _own_open_log(log, actor)
    with transaction.atomic():
        log.ended_at = now
        log.summary = summary.strip()
        log.save(update_fields=["ended_at", "summary"])
        record_event(
            actor=actor,
            action="enforcement.end_patrol",
            subject=log,
            territory_code=log.territory_code,
            after={"checks": log.checks.count()},
            now=now,
        )
    return log
