"""Demo data sources: connectors named after the five kinds of systems read their sample feeds (生成数据)
into entities, people and key places; the deliberately bad row is quarantined; a second seed imports
nothing new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stdnum.cn import uscc

from datashare.models import Connector, QuarantinedRow
from demo.datashare_data import seed_datashare
from registry.models import Entity, KeyPlace, Person
from territory.models import Division, Grid

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def test_five_sources_feed_the_registry(personas: dict[str, Any]) -> None:
    # The demo district's first 黄桥 village and grids, which the sample feeds name.
    village = Division.objects.create(
        code="320507003001",
        name="样例村",
        level=Division.Level.VILLAGE,
        parent=Division.objects.get(code="320507003"),
    )
    for seq in (1, 2):
        Grid.objects.create(code=f"320507003001{seq:03d}", name=f"样例第{seq}网格", village=village)
    first = seed_datashare(now=NOW, system=personas["system"], town_code="320507003")
    names = set(Connector.objects.values_list("category", flat=True))
    assert names == {"party", "governance", "water", "approval", "environment"}
    targets = sorted(Connector.objects.values_list("target", flat=True))
    assert targets == ["entity"] * 5 + ["key_place", "person"]
    assert (first["connectors"], first["created"], first["quarantined"]) == (7, 37, 1)
    assert all(uscc.is_valid(e.uscc) and "生成数据" in e.name for e in Entity.objects.all())
    assert Person.objects.count() == 4 and KeyPlace.objects.count() == 3
    linked = KeyPlace.objects.exclude(entity=None).select_related("entity").get()
    assert linked.entity is not None and linked.entity.name == "环保样例单位1（生成数据）"
    assert QuarantinedRow.objects.get().code == "invalid_uscc"
    again = seed_datashare(now=NOW + timedelta(hours=1), system=personas["system"], town_code="320507003")
    assert again == {"connectors": 0, "created": 0, "quarantined": 0}
