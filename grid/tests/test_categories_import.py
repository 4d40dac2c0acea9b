"""XLSX import and export of the filing/closing standard."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from core.errors import PermissionRefused
from core.spreadsheets import SpreadsheetImportError
from grid.models import Category, CategoryStandard, CategoryStandardVersion
from grid.standards.imports import HEADERS, do_import_standard, export_standard
from grid.standards.selectors import limit_for, standard_rows

pytestmark = pytest.mark.django_db

GOOD: list[Any] = [
    "01",
    "市容环境",
    "0102",
    "暴露垃圾",
    "事件",
    "公共区域有暴露垃圾",
    3,
    4,
    8,
    "工作时",
    "已清除",
    "城管办",
    "否",
]


def xlsx(rows: list[list[Any]], header: list[str] = HEADERS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def rows_of(version: CategoryStandardVersion) -> list[tuple[Any, ...]]:
    return [
        (
            r.category.kind,
            r.category.parent.code if r.category.parent else "",
            r.category.parent.name if r.category.parent else "",
            r.category.code,
            r.category.name,
            r.sequence,
            r.filing_condition,
            r.limit_a,
            r.limit_b,
            r.limit_c,
            r.unit,
            r.closing_condition,
            r.responsible_unit,
            r.urgent,
        )
        for r in standard_rows(version)
    ]


def test_round_trip_gives_an_identical_new_version(
    reference: dict[str, int], personas: dict[str, Any], now: Any, tmp_path: Path
) -> None:
    v1 = CategoryStandardVersion.objects.get(active=True)
    path = tmp_path / "standard.xlsx"
    count = export_standard(path)
    assert count == v1.rows.count()
    sheet = load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["A2"].value == "01" and sheet["C2"].value == "0101"  # codes keep their leading zero

    v2 = do_import_standard(path, actor=personas["system"], now=now)
    assert v2.number == v1.number + 1 and v2.active and v2.published_at == now
    v1.refresh_from_db()
    assert not v1.active and v1.published_at is not None  # the old version stays, as history
    assert rows_of(v2) == rows_of(v1)
    assert Category.objects.count() == Category.objects.values("kind", "code").distinct().count()
    assert AuditEvent.objects.filter(action="grid.standard_imported", subject_id=str(v2.pk)).exists()


def test_import_changes_limits_and_old_version_stays_pinned(
    reference: dict[str, int], personas: dict[str, Any], now: Any
) -> None:
    v1 = CategoryStandardVersion.objects.get(active=True)
    v2 = do_import_standard(xlsx([GOOD]), actor=personas["system"], now=now)
    assert limit_for("0102", "A")[:2] == (3, "work_hours")
    assert limit_for("0102", "A", version=v1)[:2] == (4, "work_hours")
    assert v2.rows.count() == 1


def test_bad_file_reports_every_bad_row_and_imports_nothing(
    reference: dict[str, int], personas: dict[str, Any], now: Any
) -> None:
    bad: list[list[Any]] = [
        GOOD,  # row 2: fine
        ["1x", "市容环境", "0102", "暴露垃圾", "事件", "x", 4, 4, 8, "工作时", "已清除", "", "否"],  # row 3
        ["01", "市容环境", "0299", "暴露垃圾2", "事件", "y", 4, 4, 8, "工作时", "已清除", "", "否"],  # row 4
        [
            "01",
            "市容环境",
            "0103",
            "积存垃圾渣土",
            "事故",
            "z",
            4,
            4,
            8,
            "工作时",
            "已清除",
            "",
            "否",
        ],  # row 5
        ["01", "市容环境", "0103", "积存垃圾渣土", "事件", "", "四", 0, 8, "小时", "", "", "也许"],  # row 6
        [None] * 13,  # row 7: blank, skipped
        ["01", "市容", "0104", "道路不洁", "事件", "w", 2, 2, 4, "工作时", "已清扫", "", ""],  # row 8
        GOOD,  # row 9: duplicate filing condition of row 2
    ]
    versions_before = CategoryStandardVersion.objects.count()
    rows_before = CategoryStandard.objects.count()
    with pytest.raises(SpreadsheetImportError) as exc:
        do_import_standard(xlsx(bad), actor=personas["system"], now=now)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert found == {
        (3, "大类代码"),
        (4, "小类代码"),
        (5, "类型(事件/部件)"),
        (6, "立案条件"),
        (6, "A类时限"),
        (6, "B类时限"),
        (6, "时限单位(工作时/工作日)"),
        (6, "结案条件"),
        (6, "紧急"),
        (8, "大类名称"),
        (9, "立案条件"),
    }
    assert exc.value.status == 400 and exc.value.field == "file"
    assert "第6行「A类时限」" in exc.value.message and "第9行" in exc.value.message
    assert CategoryStandardVersion.objects.count() == versions_before
    assert CategoryStandard.objects.count() == rows_before
    assert limit_for("0102", "A")[:2] == (4, "work_hours")


def test_missing_columns_and_not_a_workbook(personas: dict[str, Any], now: Any) -> None:
    with pytest.raises(SpreadsheetImportError) as exc:
        do_import_standard(xlsx([GOOD[:11]], header=HEADERS[:11]), actor=personas["system"], now=now)
    assert {(p.row, p.column) for p in exc.value.problems} == {(1, "责任单位"), (1, "紧急")}
    with pytest.raises(SpreadsheetImportError) as exc:
        do_import_standard(io.BytesIO(b"not a spreadsheet"), actor=personas["system"], now=now)
    assert exc.value.problems[0].row == 0
    with pytest.raises(SpreadsheetImportError) as exc:
        do_import_standard(xlsx([]), actor=personas["system"], now=now)
    assert "没有数据行" in exc.value.problems[0].reason
    assert not CategoryStandardVersion.objects.exists()


def test_numeric_codes_get_their_zeros_back(personas: dict[str, Any], now: Any) -> None:
    row = [
        1,
        "市容环境",
        102,
        "暴露垃圾",
        "事件",
        "公共区域有暴露垃圾",
        4,
        4,
        8,
        "工作时",
        "已清除",
        "",
        "是",
    ]
    version = do_import_standard(xlsx([row]), actor=personas["system"], now=now)
    stored: Any = version.rows.select_related("category__parent").get()
    assert (stored.category.parent.code, stored.category.code, stored.urgent) == ("01", "0102", True)


def test_import_refused_to_a_grid_worker(personas: dict[str, Any], now: Any) -> None:
    with pytest.raises(PermissionRefused):
        do_import_standard(xlsx([GOOD]), actor=personas["hq_grid"], now=now)
    assert not CategoryStandardVersion.objects.exists()


def test_management_commands(reference: dict[str, int], tmp_path: Path) -> None:
    out = io.StringIO()
    path = tmp_path / "out.xlsx"
    call_command("export_category_standard", str(path), stdout=out)
    assert "已导出" in out.getvalue()
    call_command("import_category_standard", str(path), stdout=out)
    assert CategoryStandardVersion.objects.get(active=True).number == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsx(
            [["01", "市容环境", "0102", "暴露垃圾", "事件", "x", 0, 4, 8, "工作时", "已清除", "", "否"]]
        ).getvalue()
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_category_standard", str(bad), stderr=err)
    assert "第2行「A类时限」" in err.getvalue()
    assert CategoryStandardVersion.objects.count() == 2
