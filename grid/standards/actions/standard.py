"""Categories and the filing/closing standard (立案结案标准): versions drafted, edited and published."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from audit.actions import record_event
from core.errors import DomainError
from core.snapshots import field_snapshot
from grid.models import Category, CategoryKind, CategoryStandard, CategoryStandardVersion, TimeUnit
from grid.standards.actions.common import require_reference_editor

CATEGORY_FIELDS = ("kind", "code", "name", "name_en", "parent_id", "active", "public_location_coarse")
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
    # English names of the classes; empty: none given (an existing English name is kept).
    major_en: str = ""
    minor_en: str = ""


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
            before = field_snapshot(old, CATEGORY_FIELDS)
        category.save()
        record_event(
            actor=actor,
            action="grid.category_saved",
            subject=category,
            before=before,
            after=field_snapshot(category, CATEGORY_FIELDS),
            now=now,
        )
    return category


def _ensure_categories(
    specs: Iterable[StandardRowSpec], *, actor: Any, now: datetime, rename: bool = True
) -> dict[tuple[str, str], Category]:
    """Create missing classes and (with `rename`) rename changed ones; returns (kind, code) → category.
    An English name given is stored on a new class and (with `rename`) replaces a different one; without
    `rename` it only fills an empty one. None given keeps the class's English name."""
    existing = {(c.kind, c.code): c for c in Category.objects.all()}
    for spec in specs:
        for code, name, name_en, parent_code in (
            (spec.major_code, spec.major_name, spec.major_en, None),
            (spec.minor_code, spec.minor_name, spec.minor_en, spec.major_code),
        ):
            key = (spec.kind, code)
            category = existing.get(key)
            if category is None:
                parent = existing[(spec.kind, parent_code)] if parent_code else None
                category = Category.objects.create(
                    kind=spec.kind, code=code, name=name, name_en=name_en, parent=parent
                )
                record_event(
                    actor=actor,
                    action="grid.category_saved",
                    subject=category,
                    after=field_snapshot(category, CATEGORY_FIELDS),
                    now=now,
                )
                existing[key] = category
                continue
            changes: dict[str, Any] = {}
            if rename and (category.name != name or not category.active):
                changes.update(name=name, active=True)
            if name_en and category.name_en != name_en and (rename or not category.name_en):
                changes["name_en"] = name_en
            if changes:
                before = field_snapshot(category, CATEGORY_FIELDS)
                for field, value in changes.items():
                    setattr(category, field, value)
                category.save(update_fields=list(changes))
                record_event(
                    actor=actor,
                    action="grid.category_saved",
                    subject=category,
                    before=before,
                    after=field_snapshot(category, CATEGORY_FIELDS),
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
            before = field_snapshot(CategoryStandard.objects.get(pk=row.pk), ROW_FIELDS)
        row.save()
        record_event(
            actor=actor,
            action="grid.standard_row_saved",
            subject=row,
            before=before,
            after=field_snapshot(row, ROW_FIELDS),
            now=now,
        )
    return row


def do_delete_standard_row(row: CategoryStandard, *, actor: Any, now: datetime) -> None:
    require_reference_editor(actor)
    with transaction.atomic():
        version = CategoryStandardVersion.objects.select_for_update().get(pk=row.version_id)
        _require_draft(version)
        before = field_snapshot(row, ROW_FIELDS)
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
