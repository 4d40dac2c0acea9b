"""The admin's saves of grids: the rules of a grid (code, village, dedicated object, geometry inside its
village), a changed geometry kept as a new boundary version, deletion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from audit.actions import record_event
from core.errors import DomainError
from territory.actions.common import bump_revision, import_tolerance_m2, require_steward
from territory.geo import to_geojson, to_shape
from territory.importing import check_geometry, outside_area
from territory.models import Division, Grid, GridBoundary


def validate_grid(grid: Grid, new_geometry: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The rules of a grid save (also run by the admin form before saving); returns the normalised
    new geometry. Raises DomainError naming the field."""
    if not (grid.code.isascii() and grid.code.isdigit() and len(grid.code) == 15):
        raise DomainError(
            "invalid_code", "网格编码须为 15 位数字。Grid code must be 15 digits.", field="code"
        )
    if grid.code.endswith("000"):
        raise DomainError("invalid_code", "网格顺序码不能为 000。Sequence 000 is not allowed.", field="code")
    village = Division.objects.filter(code=grid.village_id).first()
    if village is None or village.level != Division.Level.VILLAGE:
        raise DomainError("invalid_village", "所属村/社区不存在。Unknown village.", field="village")
    if not grid.code.startswith(village.code):
        raise DomainError(
            "code_mismatch",
            f"网格编码须以所属村/社区代码 {village.code} 开头。Code must start with the village code.",
            field="code",
        )
    if grid.kind == Grid.Kind.DEDICATED and not grid.dedicated_to.strip():
        raise DomainError(
            "dedicated_to_required",
            "专属网格须填写专属对象。A dedicated grid needs dedicated_to.",
            field="dedicated_to",
        )
    if new_geometry is None:
        return None
    return _checked_geometry(new_geometry, village, "new_geometry")


def do_save_grid(
    grid: Grid, *, actor: Any, now: datetime, new_geometry: dict[str, Any] | None = None
) -> Grid:
    """Create or change a grid (the admin's save). A new geometry becomes a new boundary version; the
    old one is closed, never edited, so old events keep the grid they were filed in."""
    with transaction.atomic():
        require_steward(actor)
        geometry = validate_grid(grid, new_geometry)
        old = Grid.objects.select_for_update().filter(code=grid.code).first()
        before = _grid_snapshot(old) if old is not None else None
        grid.save()
        coverage_changed = before is None or before["active"] != grid.active
        if geometry is not None:
            current = grid.boundaries.filter(valid_to__isnull=True).first()
            if current is None or current.geometry != geometry:
                version = (grid.boundaries.aggregate(v=Max("version"))["v"] or 0) + 1
                if current is not None:
                    current.valid_to = now
                    current.save(update_fields=["valid_to"])
                GridBoundary.objects.create(
                    grid=grid,
                    version=version,
                    geometry=geometry,
                    valid_from=now,
                    synthetic=False,
                    source="admin",
                )
                coverage_changed = True
        after = _grid_snapshot(grid)
        if before == after and not coverage_changed:
            return grid
        if coverage_changed:
            bump_revision(now)
        record_event(
            actor=actor,
            action="territory.grid.created" if before is None else "territory.grid.changed",
            subject=grid,
            territory_code=grid.code,
            before=before,
            after={**after, "boundary_version": grid.boundaries.aggregate(v=Max("version"))["v"]},
            now=now,
        )
    return grid


def do_delete_grid(grid: Grid, *, actor: Any, now: datetime) -> None:
    """Delete a grid and its boundary versions. Prefer deactivating (active=False) a grid that work
    items have referred to: deletion keeps no history but the audit row."""
    with transaction.atomic():
        require_steward(actor)
        before = _grid_snapshot(grid)
        code = grid.code
        grid.delete()
        bump_revision(now)
        record_event(
            actor=actor,
            action="territory.grid.deleted",
            subject_type="territory.grid",
            subject_id=code,
            territory_code=code,
            before=before,
            now=now,
        )


def _grid_snapshot(grid: Grid) -> dict[str, Any]:
    return {
        "name": grid.name,
        "village": grid.village_id,
        "kind": grid.kind,
        "area_class": grid.area_class,
        "dedicated_to": grid.dedicated_to,
        "active": grid.active,
    }


def _checked_geometry(geometry: Any, village: Division, field: str) -> dict[str, Any]:
    """A new grid geometry: a valid polygon, inside its village when the village's boundary is real."""
    geom, problem = check_geometry(geometry)
    if problem or geom is None:
        raise DomainError("invalid_geometry", problem or "几何无效。Invalid geometry.", field=field)
    if village.boundary and not village.synthetic:
        outside = outside_area(geom, to_shape(village.boundary))
        if outside > import_tolerance_m2():
            raise DomainError(
                "outside_parent",
                f"有 {outside:.1f} 平方米超出 {village.name} 的边界。Not inside its village.",
                field=field,
            )
    return to_geojson(geom)
