"""Importing real boundaries from a GeoJSON FeatureCollection (format: `territory.importing`): towns and
villages get their boundary, grids a new boundary version, the synthetic grids a file replaces are
retired. All or nothing: a file with any problem is refused whole (`ImportRejected` lists them all)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from audit.actions import record_event
from core.errors import DomainError, Unprocessable
from territory.actions.common import bump_revision, import_tolerance_m2, require_steward
from territory.geo import to_geojson, to_shape
from territory.importing import Existing, ParsedFeature, Problem, validate_collection
from territory.models import Division, Grid, GridBoundary


class ImportRejected(Unprocessable):
    """A boundary file with problems; nothing was imported. `problems` lists every one."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            "invalid_boundaries",
            f"边界文件有 {len(problems)} 个问题，未导入任何数据。"
            f"{len(problems)} problem(s); nothing imported.",
        )
        self.problems = problems


def do_import_boundaries(
    document: Any, *, actor: Any, now: datetime, source: str, tolerance_m2: float | None = None
) -> dict[str, int]:
    """Import real boundaries from a GeoJSON FeatureCollection (format: `territory.importing`).
    All-or-nothing: any problem raises ImportRejected listing all of them. On success towns and villages
    get the new boundary (synthetic=False), grids a new boundary version (the old one closed), the
    synthetic grids of every village the file gives grids for are retired, and each change is audited."""
    tolerance = import_tolerance_m2() if tolerance_m2 is None else tolerance_m2
    if tolerance < 0:
        raise DomainError("invalid_tolerance", "容差不能为负数。Tolerance must be ≥ 0.", field="tolerance")
    source = (source or "import")[:200]
    counts: Counter[str] = Counter()
    with transaction.atomic():
        require_steward(actor)
        parsed, problems = validate_collection(document, _existing_for_import(), tolerance_m2=tolerance)
        if problems:
            raise ImportRejected(problems)
        for feature in sorted(parsed, key=lambda f: (len(f.code), f.code)):
            if feature.level == "grid":
                _import_grid(feature, actor=actor, now=now, source=source, counts=counts)
            else:
                _import_division(feature, actor=actor, now=now, source=source, counts=counts)
        _retire_synthetic_grids(parsed, actor=actor, now=now, counts=counts)
        if counts["grids_created"] or counts["boundaries_created"] or counts["grids_retired"]:
            bump_revision(now)
        district = min(
            d for d in Division.objects.filter(level=Division.Level.DISTRICT).values_list("code", flat=True)
        )
        record_event(
            actor=actor,
            action="territory.import_boundaries",
            subject_type="territory.boundary_file",
            subject_id=source[:80],
            territory_code=district,
            after={"source": source, "features": len(parsed), **dict(sorted(counts.items()))},
            now=now,
        )
    return {"features": len(parsed), **{k: counts[k] for k in _IMPORT_COUNTS}}


_IMPORT_COUNTS = (
    "divisions_created",
    "divisions_updated",
    "grids_created",
    "grids_updated",
    "boundaries_created",
    "grids_retired",
    "unchanged",
)


def _existing_for_import() -> Existing:
    divisions: dict[str, tuple[str, Any, bool]] = {}
    districts: set[str] = set()
    for code, level, boundary, synthetic in Division.objects.values_list(
        "code", "level", "boundary", "synthetic"
    ):
        divisions[code] = (level, to_shape(boundary) if boundary else None, synthetic)
        if level == Division.Level.DISTRICT:
            districts.add(code)
    known = Grid.objects.values_list("code", flat=True)
    grids: dict[str, tuple[Any, bool]] = dict.fromkeys(known, (None, True))
    rows = GridBoundary.objects.filter(valid_to__isnull=True, grid__active=True).values_list(
        "grid_id", "geometry", "synthetic"
    )
    for code, geometry, synthetic in rows:
        grids[code] = (to_shape(geometry), synthetic)
    return Existing(district_codes=districts, divisions=divisions, grids=grids)


def _import_division(
    feature: ParsedFeature, *, actor: Any, now: datetime, source: str, counts: Counter[str]
) -> None:
    geometry = to_geojson(feature.geometry)
    seat = feature.geometry.representative_point()
    division = Division.objects.filter(code=feature.code).first()
    if division is None:
        division = Division.objects.create(
            code=feature.code,
            name=feature.name,
            level=feature.level,
            parent_id=feature.parent_code,
            seat_lon=seat.x,
            seat_lat=seat.y,
            boundary=geometry,
            synthetic=False,
        )
        counts["divisions_created"] += 1
        before: dict[str, Any] | None = None
    else:
        name = feature.name or division.name
        if division.boundary == geometry and not division.synthetic and division.name == name:
            counts["unchanged"] += 1
            return
        before = {
            "name": division.name,
            "synthetic": division.synthetic,
            "had_boundary": bool(division.boundary),
        }
        division.name = name
        division.boundary = geometry
        division.synthetic = False
        if division.seat_lon is None or before["synthetic"]:
            division.seat_lon, division.seat_lat = seat.x, seat.y
        division.save()
        counts["divisions_updated"] += 1
    record_event(
        actor=actor,
        action="territory.division.boundary_imported",
        subject=division,
        territory_code=division.code,
        before=before,
        after={"name": division.name, "synthetic": False, "source": source},
        now=now,
    )


def _import_grid(
    feature: ParsedFeature, *, actor: Any, now: datetime, source: str, counts: Counter[str]
) -> None:
    geometry = to_geojson(feature.geometry)
    grid = Grid.objects.filter(code=feature.code).first()
    before: dict[str, Any] | None = None
    if grid is None:
        grid = Grid.objects.create(
            code=feature.code,
            name=feature.name,
            village_id=feature.parent_code,
            kind=feature.kind,
            area_class=feature.area_class or Grid.AreaClass.B,
            dedicated_to=feature.dedicated_to,
        )
        counts["grids_created"] += 1
    else:
        before = {
            "name": grid.name,
            "kind": grid.kind,
            "area_class": grid.area_class,
            "dedicated_to": grid.dedicated_to,
            "active": grid.active,
        }
        grid.name = feature.name or grid.name
        grid.kind = feature.kind
        grid.area_class = feature.area_class or grid.area_class
        grid.dedicated_to = feature.dedicated_to
        grid.active = True
        if any(getattr(grid, k) != v for k, v in before.items()):
            grid.save()
            counts["grids_updated"] += 1
    current = grid.boundaries.filter(valid_to__isnull=True).first()
    if current is not None and not current.synthetic and current.geometry == geometry:
        if before is not None and all(getattr(grid, k) == v for k, v in before.items()):
            counts["unchanged"] += 1
            return
    else:
        version = (grid.boundaries.aggregate(v=Max("version"))["v"] or 0) + 1
        if current is not None:
            current.valid_to = now
            current.save(update_fields=["valid_to"])
        GridBoundary.objects.create(
            grid=grid, version=version, geometry=geometry, valid_from=now, synthetic=False, source=source
        )
        counts["boundaries_created"] += 1
        before = {**(before or {}), "version": current.version if current else None}
    record_event(
        actor=actor,
        action="territory.grid.boundary_imported",
        subject=grid,
        territory_code=grid.code,
        before=before,
        after={"name": grid.name, "kind": grid.kind, "area_class": grid.area_class, "source": source},
        now=now,
    )


def _retire_synthetic_grids(
    parsed: list[ParsedFeature], *, actor: Any, now: datetime, counts: Counter[str]
) -> None:
    """A village the file draws grids for is covered by those: its synthetic grids go out of service."""
    in_file = {f.code for f in parsed if f.level == "grid"}
    villages = {f.parent_code for f in parsed if f.level == "grid"}
    if not villages:
        return
    stale = GridBoundary.objects.filter(
        valid_to__isnull=True, synthetic=True, grid__village_id__in=villages, grid__active=True
    ).exclude(grid_id__in=in_file)
    for boundary in stale.select_related("grid"):
        grid = boundary.grid
        boundary.valid_to = now
        boundary.save(update_fields=["valid_to"])
        grid.active = False
        grid.save(update_fields=["active"])
        counts["grids_retired"] += 1
        record_event(
            actor=actor,
            action="territory.grid.retired",
            subject=grid,
            territory_code=grid.code,
            before={"active": True, "version": boundary.version},
            after={"active": False, "reason": "replaced by imported boundaries"},
            now=now,
        )
