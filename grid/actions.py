"""Every write of grid governance. Sections follow grid/models.py: the standard, the responsibility list
and routing decisions, the grid's lists, and the reference seed. Grid events get their own section."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from accounts.jurisdiction import user_roles
from accounts.models import OrgUnit, Role, User
from audit.actions import record_event
from core.errors import DomainError, PermissionRefused
from grid import reference_data
from grid.models import (
    Basis,
    Category,
    CategoryKind,
    CategoryStandard,
    CategoryStandardVersion,
    GridBasicInfo,
    PatrolFrequency,
    PatrolItem,
    ResponsibilityEntry,
    RoutingDecision,
    TimeUnit,
)
from grid.routing import RoutingResult
from grid.selectors import may_edit_grid_lists
from territory.models import Division, Grid


def _snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def require_reference_editor(actor: Any) -> None:
    """Categories, the standard and the responsibility list are master data: administrators, data
    stewards and the system actor (seeding) may change them."""
    if getattr(actor, "is_system", False) or getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "is_staff", False) or Role.DATA_STEWARD in user_roles(actor):
        return
    raise PermissionRefused("not_allowed", "只有管理员或数据管理员可以修改分类、标准和责任清单。")


# ---------------------------------------------------------------------------------------------------------
# 1. Categories and the filing/closing standard
# ---------------------------------------------------------------------------------------------------------

CATEGORY_FIELDS = ("kind", "code", "name", "parent_id", "active", "public_location_coarse")
ROW_FIELDS = (
    "category_id",
    "sequence",
    "filing_condition",
    "limit_a",
    "limit_b",
    "limit_c",
    "unit",
    "closing_condition",
    "responsible_unit",
    "urgent",
)


@dataclass(frozen=True)
class StandardRowSpec:
    """One row of a standard to publish, as read from a file or the seed."""

    kind: str
    major_code: str
    major_name: str
    minor_code: str
    minor_name: str
    filing_condition: str
    limit_a: int
    limit_b: int
    limit_c: int
    unit: str
    closing_condition: str
    responsible_unit: str
    urgent: bool


def validate_category(category: Category) -> None:
    if category.kind not in CategoryKind.values:
        raise DomainError("invalid_kind", "类型应为事件或部件", field="kind")
    if category.parent_id is None:
        if len(category.code) != 2 or not category.code.isdigit():
            raise DomainError("invalid_code", "大类代码应为2位数字", field="code")
    else:
        parent = category.parent
        assert parent is not None
        if parent.parent_id is not None or parent.kind != category.kind:
            raise DomainError("invalid_parent", "所属大类应为同类型的大类", field="parent")
        if (
            len(category.code) != 4
            or not category.code.isdigit()
            or not category.code.startswith(parent.code)
        ):
            raise DomainError(
                "invalid_code", f"小类代码应为4位数字并以大类代码 {parent.code} 开头", field="code"
            )
    if not category.name.strip():
        raise DomainError("required", "名称不能为空", field="name")


def do_save_category(category: Category, *, actor: Any, now: datetime) -> Category:
    """Create or edit a category (major or minor class)."""
    require_reference_editor(actor)
    validate_category(category)
    with transaction.atomic():
        before = None
        if category.pk:
            old = Category.objects.select_for_update().get(pk=category.pk)
            before = _snapshot(old, CATEGORY_FIELDS)
        category.save()
        record_event(
            actor=actor,
            action="grid.category_saved",
            subject=category,
            before=before,
            after=_snapshot(category, CATEGORY_FIELDS),
            now=now,
        )
    return category


def _ensure_categories(
    specs: Iterable[StandardRowSpec], *, actor: Any, now: datetime, rename: bool = True
) -> dict[tuple[str, str], Category]:
    """Create missing classes and (with `rename`) rename changed ones; returns (kind, code) → category."""
    existing = {(c.kind, c.code): c for c in Category.objects.all()}
    for spec in specs:
        for code, name, parent_code in (
            (spec.major_code, spec.major_name, None),
            (spec.minor_code, spec.minor_name, spec.major_code),
        ):
            key = (spec.kind, code)
            category = existing.get(key)
            if category is None:
                parent = existing[(spec.kind, parent_code)] if parent_code else None
                category = Category.objects.create(kind=spec.kind, code=code, name=name, parent=parent)
                record_event(
                    actor=actor,
                    action="grid.category_saved",
                    subject=category,
                    after=_snapshot(category, CATEGORY_FIELDS),
                    now=now,
                )
                existing[key] = category
            elif rename and (category.name != name or not category.active):
                before = _snapshot(category, CATEGORY_FIELDS)
                category.name, category.active = name, True
                category.save(update_fields=["name", "active"])
                record_event(
                    actor=actor,
                    action="grid.category_saved",
                    subject=category,
                    before=before,
                    after=_snapshot(category, CATEGORY_FIELDS),
                    now=now,
                )
    return existing


def _next_version_number() -> int:
    return (CategoryStandardVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1


def _activate(version: CategoryStandardVersion, *, actor: Any, now: datetime) -> None:
    previous = CategoryStandardVersion.objects.select_for_update().filter(active=True).exclude(pk=version.pk)
    previous_numbers = list(previous.values_list("number", flat=True))
    previous.update(active=False)
    version.active = True
    version.published_at = now
    version.save(update_fields=["active", "published_at"])
    record_event(
        actor=actor,
        action="grid.standard_published",
        subject=version,
        before={"active_versions": previous_numbers},
        after={"number": version.number, "rows": version.rows.count(), "note": version.note},
        now=now,
    )


def publish_rows(
    specs: list[StandardRowSpec], *, actor: Any, now: datetime, note: str, source: str
) -> CategoryStandardVersion:
    """Inside the caller's transaction: a new version with these rows, published and made current."""
    by_code = _ensure_categories(specs, actor=actor, now=now)
    version = CategoryStandardVersion.objects.create(
        number=_next_version_number(),
        note=note,
        source=source,
        created_at=now,
        created_by=actor if isinstance(actor, User) else None,
    )
    sequences: dict[int, int] = {}
    rows = []
    for spec in specs:
        category = by_code[(spec.kind, spec.minor_code)]
        sequences[category.id] = sequences.get(category.id, 0) + 1
        rows.append(
            CategoryStandard(
                version=version,
                category=category,
                sequence=sequences[category.id],
                filing_condition=spec.filing_condition,
                limit_a=spec.limit_a,
                limit_b=spec.limit_b,
                limit_c=spec.limit_c,
                unit=spec.unit,
                closing_condition=spec.closing_condition,
                responsible_unit=spec.responsible_unit,
                urgent=spec.urgent,
            )
        )
    CategoryStandard.objects.bulk_create(rows)
    _activate(version, actor=actor, now=now)
    return version


def do_create_draft_version(
    *, actor: Any, now: datetime, base: CategoryStandardVersion | None = None, note: str = ""
) -> CategoryStandardVersion:
    """A new draft version holding a copy of `base` (default: the current version) for editing."""
    require_reference_editor(actor)
    with transaction.atomic():
        base = base or CategoryStandardVersion.objects.filter(active=True).first()
        draft = CategoryStandardVersion.objects.create(
            number=_next_version_number(),
            note=note or (f"基于 v{base.number} 修订" if base else ""),
            source="admin",
            created_at=now,
            created_by=actor if isinstance(actor, User) else None,
        )
        if base is not None:
            CategoryStandard.objects.bulk_create(
                [
                    CategoryStandard(version=draft, **{f: getattr(row, f) for f in ROW_FIELDS})
                    for row in base.rows.all()
                ]
            )
        record_event(
            actor=actor,
            action="grid.standard_draft_created",
            subject=draft,
            after={"number": draft.number, "base": base.number if base else None},
            now=now,
        )
    return draft


def _require_draft(version: CategoryStandardVersion) -> None:
    if not version.is_draft:
        raise DomainError(
            "version_published",
            f"v{version.number} 已发布，不能修改；请基于它创建新的草稿版本。",
            field="version",
        )


def validate_standard_row(row: CategoryStandard) -> None:
    if row.category.parent_id is None:
        raise DomainError("invalid_category", "标准条目应挂在小类上", field="category")
    if not row.filing_condition.strip():
        raise DomainError("required", "立案条件不能为空", field="filing_condition")
    if not row.closing_condition.strip():
        raise DomainError("required", "结案条件不能为空", field="closing_condition")
    if row.unit not in TimeUnit.values:
        raise DomainError("invalid_unit", "时限单位应为工作时或工作日", field="unit")
    for name in ("limit_a", "limit_b", "limit_c"):
        if int(getattr(row, name)) <= 0:
            raise DomainError("invalid_limit", "时限应为正整数", field=name)


def do_save_standard_row(row: CategoryStandard, *, actor: Any, now: datetime) -> CategoryStandard:
    """Add or edit a row of a DRAFT version (published versions are immutable)."""
    require_reference_editor(actor)
    validate_standard_row(row)
    with transaction.atomic():
        version = CategoryStandardVersion.objects.select_for_update().get(pk=row.version_id)
        _require_draft(version)
        before = None
        if row.pk:
            before = _snapshot(CategoryStandard.objects.get(pk=row.pk), ROW_FIELDS)
        row.save()
        record_event(
            actor=actor,
            action="grid.standard_row_saved",
            subject=row,
            before=before,
            after=_snapshot(row, ROW_FIELDS),
            now=now,
        )
    return row


def do_delete_standard_row(row: CategoryStandard, *, actor: Any, now: datetime) -> None:
    require_reference_editor(actor)
    with transaction.atomic():
        version = CategoryStandardVersion.objects.select_for_update().get(pk=row.version_id)
        _require_draft(version)
        before = _snapshot(row, ROW_FIELDS)
        record_event(actor=actor, action="grid.standard_row_deleted", subject=row, before=before, now=now)
        row.delete()


def do_publish_standard_version(
    version: CategoryStandardVersion, *, actor: Any, now: datetime
) -> CategoryStandardVersion:
    """Publish a draft: it becomes the current version; the previous one stays as history."""
    require_reference_editor(actor)
    with transaction.atomic():
        version = CategoryStandardVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(version)
        if not version.rows.exists():
            raise DomainError("empty_version", "草稿版本没有任何条目，不能发布。", field="rows")
        _activate(version, actor=actor, now=now)
    return version


# ---------------------------------------------------------------------------------------------------------
# 2. The responsibility list and routing decisions
# ---------------------------------------------------------------------------------------------------------

ENTRY_FIELDS = ("category_id", "territory_code", "basis", "org_unit_id", "active", "note")


def validate_responsibility(entry: ResponsibilityEntry) -> None:
    code = entry.territory_code
    if len(code) not in (6, 9, 12, 15) or not code.isdigit():
        raise DomainError("invalid_territory", "区划/网格代码应为6、9、12或15位数字", field="territory_code")
    if entry.basis not in Basis.values:
        raise DomainError("invalid_basis", "依据应为属地或属主", field="basis")


def do_save_responsibility(entry: ResponsibilityEntry, *, actor: Any, now: datetime) -> ResponsibilityEntry:
    """Create or edit one row of the responsibility list."""
    require_reference_editor(actor)
    validate_responsibility(entry)
    with transaction.atomic():
        before = None
        if entry.pk:
            before = _snapshot(ResponsibilityEntry.objects.select_for_update().get(pk=entry.pk), ENTRY_FIELDS)
        elif ResponsibilityEntry.objects.filter(
            category_id=entry.category_id, territory_code=entry.territory_code, basis=entry.basis
        ).exists():
            raise DomainError("duplicate", "该分类在此区划已有同一依据的责任单位", field="territory_code")
        entry.save()
        record_event(
            actor=actor,
            action="grid.responsibility_saved",
            subject=entry,
            territory_code=entry.territory_code,
            before=before,
            after=_snapshot(entry, ENTRY_FIELDS),
            now=now,
        )
    return entry


def do_set_responsibility(
    *,
    category: Category,
    territory_code: str,
    basis: str,
    org_unit: OrgUnit,
    actor: Any,
    now: datetime,
    note: str = "",
) -> ResponsibilityEntry:
    """Make `org_unit` responsible for `category` in `territory_code` on `basis` (creating or replacing)."""
    entry = ResponsibilityEntry.objects.filter(
        category=category, territory_code=territory_code, basis=basis
    ).first() or ResponsibilityEntry(category=category, territory_code=territory_code, basis=basis)
    entry.org_unit = org_unit
    entry.active = True
    entry.note = note or entry.note
    return do_save_responsibility(entry, actor=actor, now=now)


def do_delete_responsibility(entry: ResponsibilityEntry, *, actor: Any, now: datetime) -> None:
    require_reference_editor(actor)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="grid.responsibility_deleted",
            subject=entry,
            territory_code=entry.territory_code,
            before=_snapshot(entry, ENTRY_FIELDS),
            now=now,
        )
        entry.delete()


def do_record_routing(
    result: RoutingResult, *, subject_type: str, subject_id: str, actor: Any, now: datetime
) -> RoutingDecision:
    """Record a routing decision (from `grid.routing.route`) with its reason and trail. The caller has
    already checked the actor's right to the subject (an event being filed or re-dispatched)."""
    if not subject_type or not subject_id:
        raise DomainError("required", "路由决定必须指明对象", field="subject_id")
    with transaction.atomic():
        decision = RoutingDecision.objects.create(
            subject_type=subject_type,
            subject_id=str(subject_id),
            grid_code=result.grid_code,
            kind=result.kind,
            category=result.category,
            category_code=result.category_code,
            chosen_unit=result.org_unit,
            level=result.level,
            basis=result.basis or "",
            reason=result.reason_text,
            trail=result.trail,
            decided_at=now,
            actor=actor if isinstance(actor, User) else None,
        )
        record_event(
            actor=actor,
            action="grid.routing_decided",
            subject_type=subject_type,
            subject_id=str(subject_id),
            territory_code=result.grid_code,
            after={
                "decision": decision.pk,
                "category": result.category_code,
                "org_unit": result.org_unit.code if result.org_unit else None,
                "level": result.level,
                "basis": result.basis,
                "reason": result.reason_text,
            },
            now=now,
        )
    return decision


# ---------------------------------------------------------------------------------------------------------
# 3. The grid's three lists
# ---------------------------------------------------------------------------------------------------------

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
        before = _snapshot(info, BASIC_INFO_FIELDS) if info else None
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
            after=_snapshot(info, BASIC_INFO_FIELDS),
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
            before = _snapshot(old, PATROL_FIELDS)
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
            after=_snapshot(item, PATROL_FIELDS),
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


# ---------------------------------------------------------------------------------------------------------
# 4. The reference seed (called by the demo seeder and `manage.py seed_grid_reference`)
# ---------------------------------------------------------------------------------------------------------


def seed_specs() -> list[StandardRowSpec]:
    specs: list[StandardRowSpec] = []
    for kind, classes in (
        (CategoryKind.EVENT, reference_data.EVENT_CLASSES),
        (CategoryKind.COMPONENT, reference_data.COMPONENT_CLASSES),
    ):
        for major_code, major_name, default_unit, minors in classes:
            for minor_code, minor_name, rows in minors:
                for row in rows:
                    specs.append(
                        StandardRowSpec(
                            kind=kind,
                            major_code=major_code,
                            major_name=major_name,
                            minor_code=minor_code,
                            minor_name=minor_name,
                            filing_condition=row.filing,
                            limit_a=row.a,
                            limit_b=row.b,
                            limit_c=row.c,
                            unit=row.unit,
                            closing_condition=row.closing,
                            responsible_unit=row.unit_name or default_unit,
                            urgent=row.urgent,
                        )
                    )
    return specs


def find_town_agency(town_code: str, agency: str) -> OrgUnit | None:
    """The town's org unit for an agency key of reference_data.AGENCIES: by code, then kind + name."""
    suffixes, kinds, keywords = reference_data.AGENCIES[agency]
    by_code = OrgUnit.objects.filter(code__in=[f"{town_code}-{s}" for s in suffixes])
    found = {u.code: u for u in by_code}
    for suffix in suffixes:
        if f"{town_code}-{suffix}" in found:
            return found[f"{town_code}-{suffix}"]
    for unit in OrgUnit.objects.filter(territory_code=town_code, kind__in=kinds).order_by("code"):
        if any(word in unit.name for word in keywords):
            return unit
    return None


def do_seed_reference(*, actor: Any, now: datetime, district_code: str = "320507") -> dict[str, int]:
    """Idempotent: the category tree and the first standard version (only if no version exists yet), and
    for every town of the district the responsibility rows whose agencies exist (missing ones skipped)."""
    require_reference_editor(actor)
    counts = {
        "categories": 0,
        "standard_rows": 0,
        "responsibilities_created": 0,
        "responsibilities_existing": 0,
        "responsibilities_skipped": 0,
    }
    with transaction.atomic():
        specs = seed_specs()
        before = Category.objects.count()
        if not CategoryStandardVersion.objects.exists():
            version = publish_rows(specs, actor=actor, now=now, note=reference_data.SEED_NOTE, source="seed")
            counts["standard_rows"] = version.rows.count()
        else:
            _ensure_missing_categories(specs, actor=actor, now=now)
        counts["categories"] = Category.objects.count() - before
        by_code = {(c.kind, c.code): c for c in Category.objects.all()}
        towns = Division.objects.filter(level=Division.Level.TOWN, code__startswith=district_code).order_by(
            "code"
        )
        existing = set(
            ResponsibilityEntry.objects.filter(territory_code__startswith=district_code).values_list(
                "category_id", "territory_code", "basis"
            )
        )
        for town in towns:
            for kind, code, basis, agencies in reference_data.TOWN_RESPONSIBILITIES:
                category = by_code[(kind, code)]
                if (category.id, town.code, basis) in existing:
                    counts["responsibilities_existing"] += 1
                    continue
                unit = next((u for a in agencies if (u := find_town_agency(town.code, a)) is not None), None)
                if unit is None:
                    counts["responsibilities_skipped"] += 1
                    continue
                entry = ResponsibilityEntry.objects.create(
                    category=category, territory_code=town.code, basis=basis, org_unit=unit, note="初始化"
                )
                record_event(
                    actor=actor,
                    action="grid.responsibility_saved",
                    subject=entry,
                    territory_code=town.code,
                    after=_snapshot(entry, ENTRY_FIELDS),
                    now=now,
                )
                counts["responsibilities_created"] += 1
    return counts


def _ensure_missing_categories(specs: list[StandardRowSpec], *, actor: Any, now: datetime) -> None:
    """Seed classes that are missing, without renaming what an administrator changed."""
    have = set(Category.objects.values_list("kind", "code"))
    missing = [s for s in specs if (s.kind, s.major_code) not in have or (s.kind, s.minor_code) not in have]
    if missing:
        _ensure_categories(missing, actor=actor, now=now, rename=False)
