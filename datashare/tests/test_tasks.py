"""The huey schedule: each enabled connector whose frequency has elapsed runs in its own task."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from datashare.models import Connector, ConnectorRun
from datashare.tasks import due_connectors, run_due_connectors
from datashare.tests.conftest import NOW, row, write_csv

pytestmark = pytest.mark.django_db


def test_due_connectors_run_and_others_wait(drop: Connector) -> None:
    write_csv(Path(drop.config["directory"]) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    off = Connector.objects.create(
        name="停用的水务源",
        category="water",
        adapter="file",
        config={"directory": "/nonexistent"},
        owner_unit=drop.owner_unit,
        territory_code=drop.territory_code,
        enabled=False,
    )
    with time_machine.travel(NOW, tick=False):
        assert run_due_connectors.call_local() == [drop.pk]
    assert ConnectorRun.objects.filter(connector=drop, status="succeeded").count() == 1
    assert not ConnectorRun.objects.filter(connector=off).exists()
    assert due_connectors(NOW + timedelta(minutes=59)) == []
    assert due_connectors(NOW + timedelta(minutes=60)) == [drop.pk]
