"""The one spreadsheet import refusal and the shared cell readers every import uses."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from core.spreadsheets import (
    ImportProblem,
    SpreadsheetImportError,
    cell_int,
    cell_text,
    header_base,
    read_rows,
)


def test_the_refusal_keeps_the_file_envelope_and_names_every_problem() -> None:
    problems = [ImportProblem(2, "名称", "不能为空"), ImportProblem(0, "", "文件没有数据行")]
    error = SpreadsheetImportError(problems)
    assert (error.code, error.field, error.status) == ("invalid_file", "file", 400)
    assert error.message == "文件有 2 处错误，未导入任何数据：第2行「名称」：不能为空；文件：文件没有数据行"
    assert error.problems == problems
    assert problems[0].as_dict() == {"row": 2, "column": "名称", "reason": "不能为空"}


def test_an_import_may_answer_with_its_own_code_and_field() -> None:
    error = SpreadsheetImportError(
        [ImportProblem(3, "date", "日期无效")], code="invalid_calendar_rows", field="date", subject="日历数据"
    )
    assert (error.code, error.field) == ("invalid_calendar_rows", "date")
    assert error.message.startswith("日历数据有 1 处错误")


def test_a_long_list_is_cut_in_the_message_but_kept_whole() -> None:
    problems = [ImportProblem(row, "编码", "重复") for row in range(2, 62)]
    error = SpreadsheetImportError(problems)
    assert "第51行" in error.message and "第52行" not in error.message
    assert error.message.endswith("……（另有 10 处）")
    assert len(error.problems) == 60


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        (3.0, 3),
        (" 7 ", 7),
        ("0", None),
        (100, None),
        (2.5, None),
        ("三", None),
        (True, None),
        (None, None),
    ],
)
def test_cell_int(value: object, expected: int | None) -> None:
    assert cell_int(value, 1, 99) == expected


def test_cell_text_and_header_base() -> None:
    assert cell_text(12.0) == "12" and cell_text(None) == "" and cell_text("  a ") == "a"
    assert header_base(" 类型（事件/部件） ") == "类型"


def test_a_file_that_is_not_a_workbook_is_refused_as_the_file() -> None:
    with pytest.raises(SpreadsheetImportError) as refused:
        read_rows(io.BytesIO(b"not a zip"))
    assert [(p.row, p.column) for p in refused.value.problems] == [(0, "")]


def test_read_rows_takes_the_named_sheet() -> None:
    book = Workbook()
    assert book.active is not None
    book.active.append(["other"])
    book.create_sheet("目录").append(["名称", "编码"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    assert read_rows(out, sheet_title="目录") == [("名称", "编码")]
