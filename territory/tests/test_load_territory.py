"""do_load_territory: counts, idempotence, audit, rights, and imported boundaries left alone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from core.errors import PermissionRefused
from territory.actions.loading import do_load_territory
from territory.models import BoundaryRevision, Division, EnforcementZone, Grid, GridBoundary
from territory.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_first_load_creates_the_district(full_territory: dict[str, int]) -> None:
    assert full_territory["towns"] == 13
    assert full_territory["villages"] == 143
    assert Division.objects.filter(level=Division.Level.TOWN).count() == 13
    assert Division.objects.filter(level=Division.Level.VILLAGE).count() == 143
    assert Division.objects.filter(synthetic=True).count() == 157
    assert Grid.objects.count() == full_territory["grids"] == full_territory["grids_created"]
    assert GridBoundary.objects.filter(valid_to__isnull=True, synthetic=True).count() == Grid.objects.count()
    assert EnforcementZone.objects.count() == full_territory["zones"]
    assert Division.objects.get(code="320507003201").name == "张庄村"
    zone = EnforcementZone.objects.get(code="32050700301")
    assert zone.name == "黄桥街道第一片区"
    assert all(v.parent_id == "320507003" for v in zone.villages.all())
    events = list(AuditEvent.objects.filter(action="territory.load_territory"))
    assert len(events) == 1 and (events[0].after or {})["grids_created"] == full_territory["grids"]
    assert BoundaryRevision.objects.get(pk=1).number == 1


def test_second_load_changes_nothing_and_writes_no_audit_row(full_territory: dict[str, int]) -> None:
    audit_rows = AuditEvent.objects.count()
    boundaries = GridBoundary.objects.count()
    again = do_load_territory(actor=None, now=NOW)
    changed = {k: v for k, v in again.items() if k.endswith(("_created", "_updated")) and v}
    assert changed == {}
    assert AuditEvent.objects.count() == audit_rows
    assert GridBoundary.objects.count() == boundaries
    assert BoundaryRevision.objects.get(pk=1).number == 1


def test_load_over_the_small_test_territory_redraws_it(territory: dict[str, object]) -> None:
    counts = do_load_territory(actor=None, now=NOW)
    assert counts["divisions_updated"] == 5  # district, 黄桥, 渭塘 and their two test villages
    village = Division.objects.get(code="320507003201")
    assert village.name == "张庄村" and village.synthetic
    grid = Grid.objects.get(code="320507003201001")
    assert grid.boundaries.count() == 2
    assert grid.boundaries.get(valid_to__isnull=True).version == 2


def test_imported_boundaries_are_left_alone(full_territory: dict[str, int]) -> None:
    village = Division.objects.get(code="320507003201")
    village.synthetic = False
    village.save()
    grid = Grid.objects.get(code="320507003201001")
    current = grid.boundaries.get(valid_to__isnull=True)
    current.synthetic = False
    current.geometry = {
        "type": "Polygon",
        "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.5, 31.41], [120.5, 31.4]]],
    }
    current.save()
    Division.objects.filter(code="320507105").update(name="改名")
    counts = do_load_territory(actor=None, now=NOW)
    assert counts["divisions_updated"] == 1  # 渭塘镇 renamed back; 张庄村 untouched
    assert Division.objects.get(code="320507105").name == "渭塘镇"
    assert not Division.objects.get(code="320507003201").synthetic
    assert grid.boundaries.get(valid_to__isnull=True).geometry == current.geometry


def test_a_plain_user_may_not_load(empty_database: None) -> None:
    user = get_user_model().objects.create_user(username="clerk", password="x")
    with pytest.raises(PermissionRefused):
        do_load_territory(actor=user, now=NOW)
    assert not Division.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_system_actor_is_recorded(empty_database: None) -> None:
    system = get_user_model().objects.create_user(username="system", password=None, is_system=True)
    do_load_territory(actor=system, now=NOW)
    event = AuditEvent.objects.get(action="territory.load_territory")
    assert event.actor_id == system.pk and event.occurred_at == NOW


def test_load_territory_command(db: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_territory", stdout=out)
    assert "towns=13" in out.getvalue() and "villages=143" in out.getvalue()
    out = StringIO()
    call_command("load_territory", stdout=out)
    assert "grids_created=0" in out.getvalue()
