"""Every write to the territory: loading the (synthetic) district, importing real boundaries, and the
admin's saves. Each action is one transaction, checks the actor's right, writes its audit rows, bumps
the boundary revision when grid coverage changed and drops the locate index after commit.

`actor` is a user, or None for an operator at the command line (install-time loads)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max

from audit.actions import record_event
from core.errors import DomainError, PermissionRefused, Unprocessable
from territory.geo import to_geojson, to_shape
from territory.importing import (
    Existing,
    ParsedFeature,
    Problem,
    check_geometry,
    outside_area,
    validate_collection,
)
from territory.locate import invalidate_index
from territory.models import BoundaryRevision, Division, EnforcementZone, Grid, GridBoundary
from territory.synthetic import SOURCE_LABEL, TerritorySpec, generate_territory
from territory.zones import check_zone_size, zone_size_problem


class ImportRejected(Unprocessable):
    """A boundary file with problems; nothing was imported. `problems` lists every one."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            "invalid_boundaries",
            f"边界文件有 {len(problems)} 个问题，未导入任何数据。"
            f"{len(problems)} problem(s); nothing imported.",
        )
        self.problems = problems


def _require_steward(actor: Any) -> None:
    """Territory master data: the system actor, superusers and holders of territory.change_grid."""
    if actor is None:
        return
    if getattr(actor, "is_system", False) or getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "is_active", False) and actor.has_perm("territory.change_grid"):
        return
    raise PermissionRefused("not_allowed", "无权维护区划与网格数据。Not allowed to change territory data.")


def _bump_revision(now: datetime) -> None:
    BoundaryRevision.objects.get_or_create(pk=1)
    BoundaryRevision.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now)
    # Drop this process's index now (a lookup inside the transaction sees the new rows) and again after
    # commit (a lookup that raced the commit may have rebuilt from the old rows).
    invalidate_index()
    transaction.on_commit(invalidate_index)


def _current_boundaries() -> dict[str, GridBoundary]:
    return {b.grid_id: b for b in GridBoundary.objects.filter(valid_to__isnull=True)}


def _next_versions() -> dict[str, int]:
    return {
        row["grid_id"]: row["v"] for row in GridBoundary.objects.values("grid_id").annotate(v=Max("version"))
    }


# --- the synthetic district -------------------------------------------------------------------------


def do_load_territory(*, actor: Any, now: datetime, spec: TerritorySpec | None = None) -> dict[str, int]:
    """Create or bring up to date the district, its towns, villages, grids (synthetic boundaries) and
    enforcement zones. Idempotent: a second run changes nothing and writes no audit row. Divisions and
    grids whose boundaries were imported (synthetic=False) are left as they are, and so are the grids
    of an imported village."""
    spec = spec or generate_territory()
    counts: Counter[str] = Counter()
    with transaction.atomic():
        _require_steward(actor)
        real_villages = _load_divisions(spec, counts)
        _load_grids(spec, real_villages, now, counts)
        _load_zones(spec, counts)
        changed = sum(counts.values())
        if changed:
            if counts["grids_created"] or counts["boundaries_created"] or counts["grids_updated"]:
                _bump_revision(now)
            record_event(
                actor=actor,
                action="territory.load_territory",
                subject_type="territory.division",
                subject_id=spec.district.code,
                territory_code=spec.district.code,
                after={"source": SOURCE_LABEL, **dict(sorted(counts.items()))},
                now=now,
            )
    return {
        "towns": len(spec.towns),
        "villages": len(spec.villages),
        "grids": len(spec.grids),
        "zones": len(spec.zones),
        "divisions_created": counts["divisions_created"],
        "divisions_updated": counts["divisions_updated"],
        "grids_created": counts["grids_created"],
        "grids_updated": counts["grids_updated"],
        "boundaries_created": counts["boundaries_created"],
        "zones_created": counts["zones_created"],
        "zones_updated": counts["zones_updated"],
    }


_DIVISION_FIELDS = ["name", "level", "parent_id", "seat_lon", "seat_lat", "boundary", "synthetic"]


def _load_divisions(spec: TerritorySpec, counts: Counter[str]) -> set[str]:
    """Returns the codes of villages whose boundary is real (their grids are left alone)."""
    existing = {d.code: d for d in Division.objects.all()}
    to_create: list[Division] = []
    to_update: list[Division] = []
    real: set[str] = set()
    for item in spec.divisions:
        desired: dict[str, Any] = {
            "name": item.name,
            "level": item.level,
            "parent_id": item.parent_code,
            "seat_lon": item.seat[0],
            "seat_lat": item.seat[1],
            "boundary": to_geojson(item.geometry),
            "synthetic": True,
        }
        row = existing.get(item.code)
        if row is None:
            to_create.append(Division(code=item.code, **desired))
            continue
        if not row.synthetic and row.boundary is not None:
            real.add(item.code)
            continue
        if any(getattr(row, name) != value for name, value in desired.items()):
            for name, value in desired.items():
                setattr(row, name, value)
            to_update.append(row)
    Division.objects.bulk_create(to_create)
    Division.objects.bulk_update(to_update, _DIVISION_FIELDS)
    counts["divisions_created"] += len(to_create)
    counts["divisions_updated"] += len(to_update)
    return real


_GRID_FIELDS = ["name", "village_id", "kind", "area_class", "dedicated_to", "active"]


def _load_grids(spec: TerritorySpec, real_villages: set[str], now: datetime, counts: Counter[str]) -> None:
    grids = {g.code: g for g in Grid.objects.all()}
    current = _current_boundaries()
    versions = _next_versions()
    new_grids: list[Grid] = []
    changed_grids: list[Grid] = []
    new_boundaries: list[GridBoundary] = []
    closed: list[GridBoundary] = []
    for item in spec.grids:
        if item.village_code in real_villages:
            continue
        desired: dict[str, Any] = {
            "name": item.name,
            "village_id": item.village_code,
            "kind": item.kind,
            "area_class": item.area_class,
            "dedicated_to": item.dedicated_to,
            "active": True,
        }
        geometry = to_geojson(item.geometry)
        grid = grids.get(item.code)
        if grid is None:
            new_grids.append(Grid(code=item.code, **desired))
        elif any(getattr(grid, name) != value for name, value in desired.items()):
            for name, value in desired.items():
                setattr(grid, name, value)
            changed_grids.append(grid)
        boundary = current.get(item.code)
        if boundary is not None and (not boundary.synthetic or boundary.geometry == geometry):
            continue  # a real boundary stays; an identical synthetic one too
        if boundary is not None:
            boundary.valid_to = now
            closed.append(boundary)
        new_boundaries.append(
            GridBoundary(
                grid_id=item.code,
                version=versions.get(item.code, 0) + 1,
                geometry=geometry,
                valid_from=now,
                synthetic=True,
                source=SOURCE_LABEL,
            )
        )
    Grid.objects.bulk_create(new_grids)
    Grid.objects.bulk_update(changed_grids, _GRID_FIELDS)
    GridBoundary.objects.bulk_update(closed, ["valid_to"])
    GridBoundary.objects.bulk_create(new_boundaries)
    counts["grids_created"] += len(new_grids)
    counts["grids_updated"] += len(changed_grids)
    counts["boundaries_created"] += len(new_boundaries)


def _load_zones(spec: TerritorySpec, counts: Counter[str]) -> None:
    for (
        item
    ) in spec.zones:  # all checked first: a zone of the wrong size refuses the load (in its transaction)
        problem = zone_size_problem(len(set(item.village_codes)))
        if problem is not None:
            raise DomainError("zone_size", f"{item.code} {item.name}：{problem}", field="zones")
    zones = {z.code: z for z in EnforcementZone.objects.prefetch_related("villages")}
    for item in spec.zones:
        zone = zones.get(item.code)
        if zone is None:
            zone = EnforcementZone.objects.create(code=item.code, name=item.name, town_id=item.town_code)
            zone.villages.set(Division.objects.filter(code__in=item.village_codes))
            counts["zones_created"] += 1
            continue
        members = sorted(v.code for v in zone.villages.all())
        if zone.name != item.name or zone.town_id != item.town_code or members != list(item.village_codes):
            zone.name, zone.town_id = item.name, item.town_code
            zone.save(update_fields=["name", "town"])
            zone.villages.set(Division.objects.filter(code__in=item.village_codes))
            counts["zones_updated"] += 1


# --- importing real boundaries ------------------------------------------------------------------------


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


def import_tolerance_m2() -> float:
    return float(getattr(settings, "TERRITORY_IMPORT_TOLERANCE_M2", 1.0))


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
        _require_steward(actor)
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
            _bump_revision(now)
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


# --- admin edits --------------------------------------------------------------------------------------


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
        _require_steward(actor)
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
            _bump_revision(now)
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
        _require_steward(actor)
        before = _grid_snapshot(grid)
        code = grid.code
        grid.delete()
        _bump_revision(now)
        record_event(
            actor=actor,
            action="territory.grid.deleted",
            subject_type="territory.grid",
            subject_id=code,
            territory_code=code,
            before=before,
            now=now,
        )


def _zone_snapshot(zone: EnforcementZone, village_codes: list[str]) -> dict[str, Any]:
    return {"name": zone.name, "town": zone.town_id, "villages": sorted(village_codes)}


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
        _require_steward(actor)
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
        _require_steward(actor)
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


def do_save_division(division: Division, *, actor: Any, now: datetime) -> Division:
    """The admin's save of a division (names, seats). Boundaries come from import_boundaries."""
    with transaction.atomic():
        _require_steward(actor)
        expected = {"district": 6, "town": 9, "village": 12}[division.level]
        if not (division.code.isascii() and division.code.isdigit() and len(division.code) == expected):
            raise DomainError(
                "invalid_code", f"该层级的代码须为 {expected} 位数字。Malformed code.", field="code"
            )
        if division.level != Division.Level.DISTRICT:
            parent = Division.objects.filter(code=division.parent_id).first()
            if parent is None or not division.code.startswith(parent.code):
                raise DomainError(
                    "invalid_parent",
                    "上级须为代码前缀相同的区划。Parent must prefix the code.",
                    field="parent",
                )
        old = Division.objects.filter(code=division.code).first()
        fields = ["name", "level", "parent_id", "seat_lon", "seat_lat", "synthetic"]
        before = {f: getattr(old, f) for f in fields} if old is not None else None
        division.save()
        after = {f: getattr(division, f) for f in fields}
        if before != after:
            record_event(
                actor=actor,
                action="territory.division.created" if before is None else "territory.division.changed",
                subject=division,
                territory_code=division.code,
                before=before,
                after=after,
                now=now,
            )
    return division
