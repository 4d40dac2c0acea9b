"""The reference seed (called by the demo seeder and `manage.py seed_grid_reference`): categories, the
standard and the responsibility list of a district."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.models import OrgUnit
from audit.actions import record_event
from core.snapshots import field_snapshot
from grid.models import Category, CategoryKind, CategoryStandardVersion, ResponsibilityEntry
from grid.standards import reference_data
from grid.standards.actions.common import require_reference_editor
from grid.standards.actions.responsibility import ENTRY_FIELDS
from grid.standards.actions.standard import StandardRowSpec, _ensure_categories, publish_rows
from territory.models import Division


def seed_specs() -> list[StandardRowSpec]:
    specs: list[StandardRowSpec] = []
    for kind, classes in (
        (CategoryKind.EVENT, reference_data.EVENT_CLASSES),
        (CategoryKind.COMPONENT, reference_data.COMPONENT_CLASSES),
    ):
        for major in classes:
            for minor in major.minors:
                for row in minor.rows:
                    specs.append(
                        StandardRowSpec(
                            kind=kind,
                            major_code=major.code,
                            major_name=major.name,
                            minor_code=minor.code,
                            minor_name=minor.name,
                            filing_condition=row.filing,
                            limit_a=row.a,
                            limit_b=row.b,
                            limit_c=row.c,
                            unit=row.unit,
                            closing_condition=row.closing,
                            responsible_unit=row.unit_name or major.responsible_unit,
                            urgent=row.urgent,
                            major_en=major.en,
                            minor_en=minor.en,
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
    """Idempotent: the category tree (an existing class keeps its name; an empty English name is filled),
    the first standard version (only if no version exists yet), and for every town of the district the
    responsibility rows whose agencies exist (missing ones skipped)."""
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
                    after=field_snapshot(entry, ENTRY_FIELDS),
                    now=now,
                )
                counts["responsibilities_created"] += 1
    return counts


def _ensure_missing_categories(specs: list[StandardRowSpec], *, actor: Any, now: datetime) -> None:
    """Seed classes that are missing and English names that are empty, without renaming what an
    administrator changed."""
    have = {
        (kind, code): name_en
        for kind, code, name_en in Category.objects.values_list("kind", "code", "name_en")
    }
    missing = [
        s
        for s in specs
        if (s.kind, s.major_code) not in have
        or (s.kind, s.minor_code) not in have
        or (s.major_en and not have[(s.kind, s.major_code)])
        or (s.minor_en and not have[(s.kind, s.minor_code)])
    ]
    if missing:
        _ensure_categories(missing, actor=actor, now=now, rename=False)
