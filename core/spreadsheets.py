"""Shared pieces of spreadsheet imports (XLSX, and CSV where an import accepts it): the problem of one
cell, the refusal carrying every problem, header matching, cell text, reading rows, and the error
report a user downloads. Every import checks all rows and imports nothing when one is bad."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from core.errors import DomainError

FileArg = str | Path | IO[bytes]


@dataclass(frozen=True)
class ImportProblem:
    row: int  # the spreadsheet row number (the header is row 1); 0 = the file itself
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where}「{self.column}」：{self.reason}" if self.column else f"{where}：{self.reason}"


class SpreadsheetImportError(DomainError):
    """The file was refused; `problems` lists every bad cell."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        shown = "；".join(str(p) for p in problems[:20]) + ("……" if len(problems) > 20 else "")
        super().__init__(
            "invalid_file", f"文件有 {len(problems)} 处错误，未导入任何数据：{shown}", field="file"
        )


def header_base(header: Any) -> str:
    """A header without spaces and without its parenthesised hint: "类型（事件/部件）" → "类型"."""
    text = re.sub(r"\s+", "", str(header or ""))
    return re.sub(r"[（(].*?[）)]", "", text)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _name_of(file: FileArg) -> str:
    return str(file) if isinstance(file, str | Path) else str(getattr(file, "name", "") or "")


def read_rows(file: FileArg, *, sheet_title: str = "") -> list[tuple[Any, ...]]:
    """Every row of the named sheet (else the first) of an XLSX file, or of a UTF-8 CSV file (by name)."""
    if _name_of(file).lower().endswith(".csv"):
        raw = Path(file).read_bytes() if isinstance(file, str | Path) else file.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpreadsheetImportError([ImportProblem(0, "", "CSV 文件须为 UTF-8 编码")]) from exc
        return [tuple(row) for row in csv.reader(io.StringIO(text))]
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SpreadsheetImportError(
            [ImportProblem(0, "", f"不是有效的 xlsx 文件（{exc.__class__.__name__}）")]
        ) from exc
    try:
        sheet = workbook[sheet_title] if sheet_title in workbook.sheetnames else workbook.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def problems_workbook(problems: list[ImportProblem]) -> bytes:
    """The downloadable error report: one line per problem (row, column, reason)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "错误报告"
    sheet.append(["行号", "列", "问题"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for problem in problems:
        sheet.append([problem.row or "文件", problem.column, problem.reason])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
