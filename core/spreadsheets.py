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

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class SpreadsheetImportError(DomainError):
    """The file was refused and nothing was imported; `problems` lists every bad cell.

    Every import of the platform raises this one class. `code` and `field` default to the envelope
    that the file imports have always answered with (`invalid_file`, field `file`); an import whose
    clients know another code (the work calendar's `invalid_calendar_rows`) passes its own."""

    SHOWN = 50  # problems named in the message; all of them stay in `problems` (and the error report)

    def __init__(
        self,
        problems: list[ImportProblem],
        *,
        code: str = "invalid_file",
        field: str | None = "file",
        subject: str = "文件",
    ):
        self.problems = problems
        shown = "；".join(str(p) for p in problems[: self.SHOWN])
        more = f"……（另有 {len(problems) - self.SHOWN} 处）" if len(problems) > self.SHOWN else ""
        super().__init__(
            code, f"{subject}有 {len(problems)} 处错误，未导入任何数据：{shown}{more}", field=field
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


def cell_int(value: Any, low: int, high: int) -> int | None:
    """A whole number from low to high (a spreadsheet's 3, 3.0 or "3"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if low <= number <= high else None


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
