"""The bulk intake `do_report_events_bulk`: same outcome as the single path, all-or-nothing validation,
the channel/actor rules, jurisdiction, later actions, the audit chain."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from audit.verify import verify_chain
from core.errors import DomainError, NotFound, PermissionRefused
from grid.events.bulk import RowsRefused, do_report_events_bulk
from grid.models import GridEvent
from grid.tests.test_event_support import (
    HQ_GRID,
    HQ_GRID_2,
    HQ_POINT,
    HQ_POINT_2,
    WT_POINT,
    act,
    at,
    media,
    people,
    report,
)
from outbox.models import OutboxMessage
from workflow.models import Transition

__all__ = ["media", "people"]  # the fixtures

pytestmark = pytest.mark.django_db

NOW = at(3, 2, 9)


def row(**kwargs: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "channel": "hotline",
        "category_code": "0102",
        "description": "路口绿化带旁有成堆的生活垃圾",
        "lon": HQ_POINT[0],
        "lat": HQ_POINT[1],
    }
    values.update(kwargs)
    return values


def same_outcome(bulk: GridEvent, single: GridEvent) -> None:
    assert bulk.category_id == single.category_id
    assert bulk.standard_id == single.standard_id
    assert bulk.grid_id == single.grid_id
    assert bulk.territory_code == single.territory_code
    assert bulk.level == single.level
    assert bulk.title == single.title
    assert bulk.reported_at == single.reported_at
    assert bulk.receipt_number[:8] == single.receipt_number[:8]
    assert len(bulk.receipt_number) == len(single.receipt_number)
    a, b = bulk.work_item, single.work_item
    assert a is not None and b is not None
    for name in (
        "state",
        "process_version_id",
        "priority",
        "territory_code",
        "due_at",
        "step_due_at",
        "warn_at",
    ):
        assert getattr(a, name) == getattr(b, name), name
    assert a.limit_overrides == b.limit_overrides
    assert a.subject_type == b.subject_type
    assert a.subject_id == str(bulk.pk)


def test_bulk_matches_single_path(people: dict[str, Any]) -> None:
    single = report(people, who="dispatcher", channel="hotline", now=NOW)
    single_2 = report(
        people,
        who="dispatcher",
        channel="hotline",
        now=NOW,
        category_code="0402",
        lon=HQ_POINT_2[0],
        lat=HQ_POINT_2[1],
    )
    single_3 = report(
        people, who="dispatcher", channel="referral", now=NOW, grid_code=HQ_GRID, lon=None, lat=None
    )
    rows = [
        row(),
        row(category_code="0402", lon=HQ_POINT_2[0], lat=HQ_POINT_2[1], reporter_phone="138 0013 8000"),
        row(
            channel="referral",
            grid_code=HQ_GRID,
            lon=None,
            lat=None,
            media_urls=["https://example.org/a.jpg"],
        ),
    ]
    events = do_report_events_bulk(rows, actor=people["dispatcher"], now=NOW, batch_size=2)
    assert [e.grid_id for e in events] == [HQ_GRID, HQ_GRID_2, HQ_GRID]
    for bulk, one in zip(events, [single, single_2, single_3], strict=True):
        stored = GridEvent.objects.select_related("work_item").get(pk=bulk.pk)
        same_outcome(stored, GridEvent.objects.select_related("work_item").get(pk=one.pk))
        assert Transition.objects.filter(item=stored.work_item, action="start").count() == 1
    assert events[1].reporter_phone_hash and events[1].reporter_phone_encrypted
    assert (
        events[1].reporter_phone_hash
        == report(
            people, who="dispatcher", channel="hotline", now=NOW, reporter_phone="13800138000"
        ).reporter_phone_hash
    )
    assert events[2].attachments.count() == 1
    assert len({e.receipt_number for e in events}) == 3
    # Two batches → two summary events of the grid and two of the engine.
    assert AuditEvent.objects.filter(action="grid.events_imported").count() == 2
    assert AuditEvent.objects.filter(action="workflow.start_bulk").count() == 2
    # The grid staff are told, as by the single path (hotline is not their own report).
    told = OutboxMessage.objects.filter(kind="grid.event_reported", payload__event=events[0].pk)
    assert set(told.values_list("recipient__username", flat=True)) == set(
        OutboxMessage.objects.filter(kind="grid.event_reported", payload__event=single.pk).values_list(
            "recipient__username", flat=True
        )
    )
    assert told.exists()


def test_bad_rows_all_reported_and_nothing_written(people: dict[str, Any]) -> None:
    before = (GridEvent.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
    rows = [
        row(),
        row(category_code="9999"),
        row(description="  ", reporter_phone="12345"),
        row(lon=10.0, lat=10.0),
        row(channel="nowhere"),
        row(lon=None),
        row(media_urls=["ftp://x"]),
    ]
    with pytest.raises(RowsRefused) as caught:
        do_report_events_bulk(rows, actor=people["dispatcher"], now=NOW)
    fields = {p.field for p in caught.value.problems}
    assert {
        "rows[1].category_code",
        "rows[2].description",
        "rows[2].reporter_phone",
        "rows[3].lon",
        "rows[4].channel",
        "rows[5].lon",
        "rows[6].media_urls",
    } <= fields
    assert not any(f and f.startswith("rows[0]") for f in fields)
    assert caught.value.status == 400
    assert "rows[1].category_code" in caught.value.message or "第 1 行" in caught.value.message
    assert (GridEvent.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count()) == before


def test_refused_actor(people: dict[str, Any]) -> None:
    with pytest.raises(PermissionRefused):
        do_report_events_bulk([row()], actor=people["hq_agency"], now=NOW)
    # A grid worker may report by patrol, not by hotline.
    with pytest.raises(PermissionRefused):
        do_report_events_bulk([row(channel="hotline")], actor=people["hq_grid"], now=NOW)
    # Anonymous: resident channels only — a field error per row.
    with pytest.raises(RowsRefused) as caught:
        do_report_events_bulk([row(channel="hotline")], actor=None, now=NOW)
    assert caught.value.problems[0].field == "rows[0].channel"
    assert GridEvent.objects.count() == 0


def test_outsider_territory(people: dict[str, Any]) -> None:
    # hq_grid (黄桥 grid 1) reporting by patrol at a point in 渭塘: the single path's field error on lon.
    with pytest.raises(DomainError) as single:
        report(people, who="hq_grid", lon=WT_POINT[0], lat=WT_POINT[1])
    with pytest.raises(RowsRefused) as caught:
        do_report_events_bulk(
            [row(channel="patrol"), row(channel="patrol", lon=WT_POINT[0], lat=WT_POINT[1])],
            actor=people["hq_grid"],
            now=NOW,
        )
    problem = caught.value.problems[0]
    assert (problem.field, problem.code) == ("rows[1].lon", single.value.code)
    # A grid code outside the jurisdiction: 404, as the single path.
    with pytest.raises(NotFound):
        report(people, who="wt_grid", channel="patrol", grid_code=HQ_GRID, lon=None, lat=None)
    with pytest.raises(RowsRefused) as caught:
        do_report_events_bulk(
            [row(channel="patrol", grid_code=HQ_GRID, lon=None, lat=None)], actor=people["wt_grid"], now=NOW
        )
    assert caught.value.status == 404
    assert caught.value.problems[0].field == "rows[0].grid_code"
    assert GridEvent.objects.count() == 0


def test_imported_event_accepts_file_and_audit_chain_holds(people: dict[str, Any]) -> None:
    events = do_report_events_bulk([row(), row(channel="dispatcher")], actor=people["dispatcher"], now=NOW)
    filed = act(events[0], "file", people, "dispatcher", at(3, 2, 10))
    assert filed.work_item is not None and filed.work_item.state == "filed"
    chain = verify_chain()
    assert chain.intact
    assert chain.checked == AuditEvent.objects.count()


def test_system_actor_and_empty_input(people: dict[str, Any]) -> None:
    assert do_report_events_bulk([], actor=people["system"], now=NOW) == []
    events = do_report_events_bulk(
        [row(channel="resident_web"), row(channel="open311", crs="gcj02")], actor=None, now=NOW
    )
    assert all(e.reporter_id is None for e in events)
    assert all(e.work_item is not None and e.work_item.state == "reported" for e in events)
