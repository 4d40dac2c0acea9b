"""factory-boy factories for tests: divisions, grids and grid boundaries, found again by their code (a
second call with the same code returns the same row)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import factory
from factory.django import DjangoModelFactory

from territory.models import Division, Grid, GridBoundary

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


class DivisionFactory(DjangoModelFactory[Division]):
    """A village under 黄桥街道 unless told otherwise (the parent must exist)."""

    class Meta:
        model = Division
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"320507003{300 + n:03d}")
    name = factory.LazyAttribute(lambda division: f"测试区划 {division.code}")
    level = Division.Level.VILLAGE
    parent = factory.LazyFunction(lambda: Division.objects.get(code="320507003"))


class GridFactory(DjangoModelFactory[Grid]):
    class Meta:
        model = Grid
        django_get_or_create = ("code",)

    village = factory.SubFactory(DivisionFactory)
    code = factory.Sequence(lambda n: f"320507003201{100 + n:03d}")
    name = factory.LazyAttribute(lambda grid: f"测试网格 {grid.code}")


class GridBoundaryFactory(DjangoModelFactory[GridBoundary]):
    """A square boundary (synthetic, valid from the start of 2026); version 1 unless told."""

    class Meta:
        model = GridBoundary
        django_get_or_create = ("grid", "version")

    grid = factory.SubFactory(GridFactory)
    version = 1
    geometry = factory.LazyFunction(lambda: square(120.55, 31.40))
    valid_from = EPOCH
    synthetic = True
