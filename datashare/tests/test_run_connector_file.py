"""The file-drop connector: incremental by (cursor, key), idempotent, bad rows quarantined with the
reason, a broken file refused whole, the run history with counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from datashare.models import Connector, ConnectorRun, QuarantinedRow, SyncedRecord
from datashare.sync import do_run_connector
from datashare.tests.conftest import HEADERS, NOW, code, row, write_csv
from registry.models import Entity

pytestmark = pytest.mark.django_db


def directory(connector: Connector) -> Path:
    return Path(connector.config["directory"])


def test_a_second_run_imports_only_the_new_rows_and_a_bad_row_is_quarantined(drop: Connector) -> None:
    write_csv(
        directory(drop) / "2026-03-01.csv",
        [
            row(1, "2026-03-01T08:00:00+08:00"),
            row(2, "2026-03-01T09:00:00Z"),
            row(3, "2026-03-01T10:00:00Z", industry_code="不是代码"),
        ],
    )
    first = do_run_connector(drop, now=NOW)
    assert (first.status, first.fetched, first.created, first.quarantined) == ("succeeded", 3, 2, 1)
    assert Entity.objects.filter(uscc__in=[code(1), code(2)]).count() == 2
    assert not Entity.objects.filter(uscc=code(3)).exists()
    bad = QuarantinedRow.objects.get()
    assert (bad.key, bad.field, bad.code) == (code(3), "industry_code", "invalid_industry")
    assert bad.payload["industry_code"] == "不是代码"
    # The bookmark is the last row read, in RFC 3339 UTC (08:00+08:00 became 00:00Z, sorted first).
    assert (drop.bookmark_cursor, drop.bookmark_key) == ("2026-03-01T10:00:00Z", code(3))

    write_csv(directory(drop) / "2026-03-02.csv", [row(4, "2026-03-02T01:00:00Z")])
    second = do_run_connector(drop, now=NOW + timedelta(hours=1))
    assert (second.fetched, second.created, second.updated, second.quarantined) == (1, 1, 0, 0)
    assert SyncedRecord.objects.filter(connector=drop).count() == 3
    assert ConnectorRun.objects.filter(connector=drop).count() == 2
    assert drop.last_success_at == NOW + timedelta(hours=1)


def test_a_newer_row_is_proposed_and_a_repeated_run_changes_nothing(drop: Connector, published: None) -> None:
    write_csv(directory(drop) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    do_run_connector(drop, now=NOW)
    write_csv(directory(drop) / "b.csv", [row(1, "2026-03-02T00:00:00Z", name="改名后的单位")])
    run = do_run_connector(drop, now=NOW)
    assert (run.updated, run.proposed, run.created) == (1, 1, 0)
    entity = Entity.objects.get(uscc=code(1))
    # The rename waits for the village's review (datashare/tests/test_entity_changes_reviewed.py).
    assert entity.name == "测试单位1" and entity.history.count() == 1
    again = do_run_connector(drop, now=NOW)
    assert (again.fetched, again.created, again.updated) == (0, 0, 0)
    # Forgetting the bookmark re-reads everything; the checksums make it a no-op.
    Connector.objects.filter(pk=drop.pk).update(bookmark_cursor="", bookmark_key="")
    drop.refresh_from_db()
    replay = do_run_connector(drop, now=NOW)
    assert (replay.fetched, replay.unchanged, replay.created, replay.updated) == (2, 2, 0, 0)


def test_rows_with_equal_cursors_are_ordered_by_key(drop: Connector) -> None:
    same = "2026-03-01T00:00:00Z"
    serials = sorted([1, 2, 3], key=code)
    write_csv(directory(drop) / "a.csv", [row(serials[2], same), row(serials[0], same)])
    do_run_connector(drop, now=NOW)
    assert (drop.bookmark_cursor, drop.bookmark_key) == (same, code(serials[2]))
    # Same cursor, key before the bookmark: already behind it. A later cursor: read.
    write_csv(directory(drop) / "b.csv", [row(serials[1], same), row(9, "2026-03-01T00:00:01Z")])
    run = do_run_connector(drop, now=NOW)
    assert (run.fetched, run.created) == (1, 1) and Entity.objects.filter(uscc=code(9)).exists()


@pytest.mark.parametrize(
    ("bad", "field", "error"),
    [
        ({"uscc": "91320507ABCDEFGHI"}, "uscc", "invalid_uscc"),
        ({"name": ""}, "name", "required"),
        ({"size": "巨型"}, "size", "invalid_choice"),
        ({"grid": "320507105201001"}, "grid", "out_of_scope"),
        ({"updated_at": "昨天"}, "cursor", "invalid_cursor"),
    ],
)
def test_each_bad_row_is_quarantined_with_its_reason(
    drop: Connector, bad: dict[str, str], field: str, error: str
) -> None:
    write_csv(
        directory(drop) / "a.csv", [row(1, "2026-03-01T00:00:00Z"), {**row(2, "2026-03-01T01:00:00Z"), **bad}]
    )
    run = do_run_connector(drop, now=NOW)
    assert (run.created, run.quarantined) == (1, 1)
    kept = QuarantinedRow.objects.get(run=run)
    assert (kept.field, kept.code) == (field, error) and kept.reason
    # Read again (a bad cursor is never behind the bookmark): not quarantined twice.
    Connector.objects.filter(pk=drop.pk).update(bookmark_cursor="", bookmark_key="")
    drop.refresh_from_db()
    do_run_connector(drop, now=NOW)
    assert QuarantinedRow.objects.filter(connector=drop).count() == 1


def test_a_broken_file_is_refused_whole(drop: Connector) -> None:
    write_csv(directory(drop) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    (directory(drop) / "b.xlsx").write_bytes(b"not a workbook")
    run = do_run_connector(drop, now=NOW)
    assert run.status == ConnectorRun.Status.FAILED and "b.xlsx" in run.error
    assert not Entity.objects.exists() and drop.bookmark_cursor == "" and drop.last_success_at is None


def test_a_file_without_the_key_column_is_refused_whole(drop: Connector) -> None:
    (directory(drop) / "a.csv").write_text("name,updated_at\n某单位,2026-03-01T00:00:00Z\n", encoding="utf-8")
    run = do_run_connector(drop, now=NOW)
    assert run.status == "failed" and "uscc" in run.error and not Entity.objects.exists()


def test_a_missing_directory_fails_the_run(drop: Connector) -> None:
    drop.config = {"directory": str(directory(drop) / "absent")}
    run = do_run_connector(drop, now=NOW)
    assert run.status == "failed" and ConnectorRun.objects.filter(connector=drop).count() == 1


def test_xlsx_files_are_read_too(drop: Connector) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.append(list(row(5, "2026-03-01T00:00:00Z").values()))
    book.save(directory(drop) / "a.xlsx")
    run = do_run_connector(drop, now=NOW)
    assert run.created == 1 and Entity.objects.get(uscc=code(5)).size == "small"
