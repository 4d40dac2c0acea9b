"""Migration 0003 (connectors feed every registry): the entity records synced before it name their
target (kind, id, territory) afterwards, and the migration can be undone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import OrgUnit
from accounts.testing import make_org_unit
from datashare.models import SyncedRecord
from registry import actions as registry
from registry.testing import synthetic_uscc
from territory.testing import load_small_territory
from workflow.actors import system_actor

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
GRID = "320507003201001"
BEFORE = ("datashare", "0002_people_export")


def _migrate(target: tuple[str, str] | None) -> MigrationExecutor:
    """Migrate to `target`; None: back to the latest migration of every app."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target is not None else executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_entity_records_are_backfilled_and_the_migration_undoes() -> None:
    load_small_territory()
    entity = registry.do_register_entity(
        uscc_code=synthetic_uscc("320507", 61),
        name="迁移前的单位",
        legal_representative="王建国",
        industry_code="F5212",
        size="small",
        territory_code=GRID,
        actor=system_actor(),
        now=NOW,
    )
    unit = OrgUnit.objects.filter(code="320507003-gov").first() or make_org_unit(
        "320507003-gov", "黄桥街道党工委", OrgUnit.Kind.GOVERNMENT, "320507003"
    )
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        connector = old.get_model("datashare", "Connector").objects.create(
            name="迁移前的数据源",
            category="environment",
            adapter="file",
            config={"directory": "/nowhere"},
            owner_unit_id=unit.pk,
            territory_code="320507003",
        )
        old.get_model("datashare", "SyncedRecord").objects.create(
            connector_id=connector.pk,
            key=entity.uscc,
            entity_id=entity.pk,
            checksum="c",
            cursor="2026-03-01T00:00:00Z",
            synced_at=NOW,
        )
    finally:
        _migrate(None)
    record = SyncedRecord.objects.get(key=entity.uscc)
    assert (record.target_kind, record.target_id, record.territory_code) == ("entity", entity.pk, GRID)
    assert record.entity_id == entity.pk
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT entity_id FROM datashare_syncedrecord WHERE key = %s", [entity.uscc])
            assert cursor.fetchone() == (entity.pk,)
    finally:
        _migrate(None)
