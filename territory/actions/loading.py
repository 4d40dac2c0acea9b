"""Loading the synthetic district (install time and the demo): its towns, villages, grids with synthetic
boundaries and enforcement zones, created or brought up to date; what was imported for real is left as
it is."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from audit.actions import record_event
from core.errors import DomainError
from territory.actions.common import bump_revision, require_steward
from territory.geo import to_geojson
from territory.models import Division, EnforcementZone, Grid, GridBoundary
from territory.synthetic import SOURCE_LABEL, TerritorySpec, generate_territory
from territory.zones import zone_size_problem


def do_load_territory(*, actor: Any, now: datetime, spec: TerritorySpec | None = None) -> dict[str, int]:
    """Create or bring up to date the district, its towns, villages, grids (synthetic boundaries) and
    enforcement zones. Idempotent: a second run changes nothing and writes no audit row. Divisions and
    grids whose boundaries were imported (synthetic=False) are left as they are, and so are the grids
    of an imported village."""
    spec = spec or generate_territory()
    counts: Counter[str] = Counter()
    with transaction.atomic():
        require_steward(actor)
        real_villages = _load_divisions(spec, counts)
        _load_grids(spec, real_villages, now, counts)
        _load_zones(spec, counts)
        changed = sum(counts.values())
        if changed:
            if counts["grids_created"] or counts["boundaries_created"] or counts["grids_updated"]:
                bump_revision(now)
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
    # All checked first: a zone of the wrong size refuses the load (in its transaction).
    for item in spec.zones:
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


def _current_boundaries() -> dict[str, GridBoundary]:
    return {b.grid_id: b for b in GridBoundary.objects.filter(valid_to__isnull=True)}


def _next_versions() -> dict[str, int]:
    return {
        row["grid_id"]: row["v"] for row in GridBoundary.objects.values("grid_id").annotate(v=Max("version"))
    }
