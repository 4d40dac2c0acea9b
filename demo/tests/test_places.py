"""Demo events get plausible places: a point inside their grid, the same on every run, a duplicate near
its original; events that already have a location keep it."""

from __future__ import annotations

from typing import Any

import pytest
from shapely.geometry import Point, shape

from demo.places import place_history_events
from demo.tests.test_history import history  # noqa: F401 - the fixture
from grid.models import GridEvent
from territory.models import GridBoundary

pytestmark = pytest.mark.django_db


def test_every_history_event_is_placed_inside_its_grid(history: dict[str, int]) -> None:  # noqa: F811
    GridEvent.objects.filter(pk=GridEvent.objects.order_by("pk").first().pk).update(lon=1.0, lat=2.0)  # type: ignore[union-attr]
    placed = place_history_events()
    assert placed == GridEvent.objects.count() - 1
    shapes = {b.grid_id: shape(b.geometry) for b in GridBoundary.objects.filter(valid_to__isnull=True)}
    events = list(GridEvent.objects.order_by("pk"))
    assert (events[0].lon, events[0].lat) == (1.0, 2.0)  # an event with a location keeps it
    for event in events[1:]:
        assert shapes[event.grid_id].contains(Point(event.lon, event.lat)), event.receipt_number
    by_pk = {e.pk: e for e in events}
    duplicates = [e for e in events[1:] if e.duplicate_of_id and e.duplicate_of_id != events[0].pk]
    for event in duplicates:
        original = by_pk[event.duplicate_of_id or 0]
        assert event.lon is not None and event.lat is not None
        assert original.lon is not None and original.lat is not None
        assert abs(event.lon - original.lon) <= 0.0002 and abs(event.lat - original.lat) <= 0.0002
    assert place_history_events() == 0
    # The same points on another run.
    before: dict[Any, Any] = {e.pk: (e.lon, e.lat) for e in events[1:]}
    GridEvent.objects.filter(pk__in=before).update(lon=None, lat=None)
    assert place_history_events() == len(before)
    assert {e.pk: (e.lon, e.lat) for e in GridEvent.objects.filter(pk__in=before)} == before
