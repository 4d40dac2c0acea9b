"""The grid's three lists: basic information, patrol items (巡查清单) and their edits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.models import User
from audit.actions import record_event
from core.errors import DomainError, PermissionRefused
from core.snapshots import field_snapshot
from grid.models import Category, GridBasicInfo, PatrolFrequency, PatrolItem
from grid.standards.selectors import may_edit_grid_lists
from territory.models import Grid

BASIC_INFO_COUNTS = ("households", "residents", "places", "key_places", "enterprises")
BASIC_INFO_TEXT = {"estates": 300, "note": 2000}
BASIC_INFO_FIELDS = (*BASIC_INFO_COUNTS, *BASIC_INFO_TEXT)
PATROL_FIELDS = ("name", "category_id", "frequency", "checkpoint", "lon", "lat", "active")


def require_grid_editor(actor: Any, grid: Grid) -> None:
    if getattr(actor, "is_system", False) or getattr(actor, "is_superuser", False):
        return
    if not may_edit_grid_lists(actor, grid.code):
        raise PermissionRefused("not_allowed", "只有本村（社区）、网格长或数据管理员可以修改网格清单。")


def do_update_basic_info(grid: Grid, changes: dict[str, Any], *, actor: Any, now: datetime) -> GridBasicInfo:
    """Change some fields of the grid's basic-information list (created on first use)."""
    require_grid_editor(actor, grid)
    if not changes:
        raise DomainError("required", "没有要修改的字段", field=None)
    for name, value in changes.items():
        if name in BASIC_INFO_COUNTS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 10_000_000:
                raise DomainError("invalid", "应为不小于0的整数", field=name)
        elif name in BASIC_INFO_TEXT:
            if not isinstance(value, str) or len(value) > BASIC_INFO_TEXT[name]:
                raise DomainError("invalid", f"应为不超过{BASIC_INFO_TEXT[name]}字的文本", field=name)
        else:
            raise DomainError("unknown_field", f"未知字段：{name}", field=name)
    with transaction.atomic():
        info = GridBasicInfo.objects.select_for_update().filter(grid=grid).first()
        before = field_snapshot(info, BASIC_INFO_FIELDS) if info else None
        if info is None:
            info = GridBasicInfo(grid=grid)
        for name, value in changes.items():
            setattr(info, name, value)
        info.updated_at = now
        info.updated_by = actor if isinstance(actor, User) else None
        info.save()
        record_event(
            actor=actor,
            action="grid.basic_info_updated",
            subject=info,
            territory_code=grid.code,
            before=before,
            after=field_snapshot(info, BASIC_INFO_FIELDS),
            now=now,
        )
    return info


def validate_patrol_item(item: PatrolItem) -> None:
    if not item.name.strip():
        raise DomainError("required", "巡查事项名称不能为空", field="name")
    if len(item.name) > 100:
        raise DomainError("invalid", "巡查事项名称不超过100字", field="name")
    if item.frequency not in PatrolFrequency.values:
        raise DomainError("invalid_choice", "频次应为 daily、weekly 或 monthly", field="frequency")
    if (item.lon is None) != (item.lat is None):
        raise DomainError("invalid", "经纬度应同时填写", field="lon")
    if (
        item.lon is not None
        and item.lat is not None
        and not (-180 <= item.lon <= 180 and -90 <= item.lat <= 90)
    ):
        raise DomainError("invalid", "经纬度超出范围", field="lon")


def do_save_patrol_item(item: PatrolItem, *, actor: Any, now: datetime) -> PatrolItem:
    """Add or edit a line of the grid's patrol-items list."""
    grid = Grid.objects.get(pk=item.grid_id)
    require_grid_editor(actor, grid)
    validate_patrol_item(item)
    with transaction.atomic():
        before = None
        if item.pk:
            old = PatrolItem.objects.select_for_update().get(pk=item.pk)
            if old.grid_id != item.grid_id:
                raise DomainError("invalid", "巡查事项不能移到其他网格", field="grid")
            before = field_snapshot(old, PATROL_FIELDS)
        else:
            item.created_at = now
        item.updated_at = now
        item.save()
        record_event(
            actor=actor,
            action="grid.patrol_item_saved",
            subject=item,
            territory_code=grid.code,
            before=before,
            after=field_snapshot(item, PATROL_FIELDS),
            now=now,
        )
    return item


def do_add_patrol_item(
    grid: Grid,
    *,
    name: str,
    frequency: str,
    actor: Any,
    now: datetime,
    category: Category | None = None,
    checkpoint: str = "",
    lon: float | None = None,
    lat: float | None = None,
) -> PatrolItem:
    item = PatrolItem(
        grid=grid, name=name, frequency=frequency, category=category, checkpoint=checkpoint, lon=lon, lat=lat
    )
    return do_save_patrol_item(item, actor=actor, now=now)
