"""XLSX import and export of the filing/closing standard (立案/结案标准), template documented in
docs/templates/category-standard.md. An import checks every row and reports every problem at once;
one bad row and nothing is imported. A good file is published as a new version."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font

from audit.actions import record_event
from core import spreadsheets
from core.spreadsheets import ImportProblem, SpreadsheetImportError, cell_int, cell_text, header_base
from grid.models import CategoryKind, CategoryStandardVersion, TimeUnit
from grid.standards.actions import require_reference_editor
from grid.standards.actions.standard import StandardRowSpec, publish_rows
from grid.standards.selectors import current_standard_version, standard_rows

SHEET_TITLE = "立案结案标准"
HEADERS = [
    "大类代码",
    "大类名称",
    "小类代码",
    "小类名称",
    "类型(事件/部件)",
    "立案条件",
    "A类时限",
    "B类时限",
    "C类时限",
    "时限单位(工作时/工作日)",
    "结案条件",
    "责任单位",
    "紧急",
]
# Optional columns (a file without them imports as before): the classes' English names, shown in an
# English session; empty keeps the class's English name.
OPTIONAL_HEADERS = ["大类英文名称", "小类英文名称"]
MAX_EN_NAME = 120
KIND_LABELS = {"事件": CategoryKind.EVENT, "部件": CategoryKind.COMPONENT}
UNIT_LABELS = {"工作时": TimeUnit.WORK_HOURS, "工作日": TimeUnit.WORK_DAYS}
URGENT_LABELS = {"是": True, "否": False, "": False}
MAX_LIMIT = 9999
MAX_ROWS = 5000

FileArg = str | Path | IO[bytes]


def _code(value: Any, width: int) -> str:
    """Codes are text; a spreadsheet that turned "01" into the number 1 gets its zeros back."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return f"{int(value):0{width}d}"
    return cell_text(value)


def parse_rows(rows: list[tuple[Any, ...]]) -> tuple[list[StandardRowSpec], list[ImportProblem]]:
    """Check the header and every data row; return the specs and every problem found."""
    problems: list[ImportProblem] = []
    if not rows:
        return [], [ImportProblem(0, "", "文件为空")]
    header = [header_base(h) for h in rows[0]]
    positions: dict[str, int] = {}
    for name in HEADERS:
        base = header_base(name)
        if base in header:
            positions[name] = header.index(base)
        else:
            problems.append(ImportProblem(1, name, "缺少此列"))
    if problems:
        return [], problems
    for name in OPTIONAL_HEADERS:
        if name in header:
            positions[name] = header.index(name)

    specs: list[StandardRowSpec] = []
    major_names: dict[tuple[str, str], tuple[str, int]] = {}
    minor_names: dict[tuple[str, str], tuple[str, int]] = {}
    english_names: dict[tuple[str, str, str], tuple[str, int]] = {}  # (column, kind, code) → first
    seen_conditions: dict[tuple[str, str, str], int] = {}
    data_rows = 0
    for number, raw in enumerate(rows[1:], start=2):
        cells = {name: (raw[i] if i < len(raw) else None) for name, i in positions.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        data_rows += 1
        bad: list[ImportProblem] = []

        def fail(column: str, reason: str, row: int = number, sink: list[ImportProblem] = bad) -> None:
            sink.append(ImportProblem(row, column, reason))

        major_code = _code(cells["大类代码"], 2)
        major_name = cell_text(cells["大类名称"])
        minor_code = _code(cells["小类代码"], 4)
        minor_name = cell_text(cells["小类名称"])
        kind_label = cell_text(cells["类型(事件/部件)"])
        filing = cell_text(cells["立案条件"])
        unit_label = cell_text(cells["时限单位(工作时/工作日)"])
        closing = cell_text(cells["结案条件"])
        responsible = cell_text(cells["责任单位"])
        urgent_label = cell_text(cells["紧急"])
        major_en = cell_text(cells.get("大类英文名称"))
        minor_en = cell_text(cells.get("小类英文名称"))

        if not re.fullmatch(r"\d{2}", major_code):
            fail("大类代码", f"应为2位数字，实际为「{major_code}」")
        if not major_name:
            fail("大类名称", "不能为空")
        elif len(major_name) > 60:
            fail("大类名称", "不超过60字")
        if not re.fullmatch(r"\d{4}", minor_code):
            fail("小类代码", f"应为4位数字，实际为「{minor_code}」")
        elif re.fullmatch(r"\d{2}", major_code) and not minor_code.startswith(major_code):
            fail("小类代码", f"应以大类代码 {major_code} 开头")
        if not minor_name:
            fail("小类名称", "不能为空")
        elif len(minor_name) > 60:
            fail("小类名称", "不超过60字")
        for column, value in (("大类英文名称", major_en), ("小类英文名称", minor_en)):
            if len(value) > MAX_EN_NAME:
                fail(column, f"不超过{MAX_EN_NAME}字")
        kind = KIND_LABELS.get(kind_label)
        if kind is None:
            fail("类型(事件/部件)", f"应为「事件」或「部件」，实际为「{kind_label}」")
        if not filing:
            fail("立案条件", "不能为空")
        limits = {}
        for column in ("A类时限", "B类时限", "C类时限"):
            limits[column] = cell_int(cells[column], 1, MAX_LIMIT)
            if limits[column] is None:
                fail(column, f"应为1–{MAX_LIMIT}的整数，实际为「{cell_text(cells[column])}」")
        unit = UNIT_LABELS.get(unit_label)
        if unit is None:
            fail("时限单位(工作时/工作日)", f"应为「工作时」或「工作日」，实际为「{unit_label}」")
        if not closing:
            fail("结案条件", "不能为空")
        if len(responsible) > 100:
            fail("责任单位", "不超过100字")
        if urgent_label not in URGENT_LABELS:
            fail("紧急", f"应为「是」「否」或留空，实际为「{urgent_label}」")

        # Consistency across rows: one name per code, one row per filing condition.
        if kind is not None and not bad:
            first = major_names.setdefault((kind, major_code), (major_name, number))
            if first[0] != major_name:
                fail("大类名称", f"与第{first[1]}行同一大类代码的名称「{first[0]}」不一致")
            first = minor_names.setdefault((kind, minor_code), (minor_name, number))
            if first[0] != minor_name:
                fail("小类名称", f"与第{first[1]}行同一小类代码的名称「{first[0]}」不一致")
            for column, code, value in (
                ("大类英文名称", major_code, major_en),
                ("小类英文名称", minor_code, minor_en),
            ):
                if value:
                    first = english_names.setdefault((column, kind, code), (value, number))
                    if first[0] != value:
                        fail(column, f"与第{first[1]}行同一代码的英文名称「{first[0]}」不一致")
            key = (kind, minor_code, filing)
            if key in seen_conditions:
                fail("立案条件", f"与第{seen_conditions[key]}行重复")
            else:
                seen_conditions[key] = number

        if bad:
            problems.extend(bad)
            continue
        assert kind is not None and unit is not None
        specs.append(
            StandardRowSpec(
                kind=kind,
                major_code=major_code,
                major_name=major_name,
                minor_code=minor_code,
                minor_name=minor_name,
                filing_condition=filing,
                limit_a=limits["A类时限"] or 0,
                limit_b=limits["B类时限"] or 0,
                limit_c=limits["C类时限"] or 0,
                unit=unit,
                closing_condition=closing,
                responsible_unit=responsible,
                urgent=URGENT_LABELS[urgent_label],
                major_en=major_en,
                minor_en=minor_en,
            )
        )
    if data_rows == 0:
        problems.append(ImportProblem(0, "", "文件没有数据行"))
    elif data_rows > MAX_ROWS:
        problems.append(ImportProblem(0, "", f"数据行超过{MAX_ROWS}行"))
    return specs, problems


def read_rows(file: FileArg) -> list[tuple[Any, ...]]:
    return spreadsheets.read_rows(file, sheet_title=SHEET_TITLE)


def do_import_standard(
    file: FileArg, *, actor: Any, now: datetime, note: str = "", source: str = ""
) -> CategoryStandardVersion:
    """Validate every row of an XLSX standard; if all are good publish them as a new current version."""
    require_reference_editor(actor)
    specs, problems = parse_rows(read_rows(file))
    if problems:
        raise SpreadsheetImportError(problems)
    source = source or (
        Path(file).name if isinstance(file, str | Path) else getattr(file, "name", "") or "xlsx"
    )
    with transaction.atomic():
        version = publish_rows(
            specs, actor=actor, now=now, note=note or f"导入自 {source}", source=source[:200]
        )
        record_event(
            actor=actor,
            action="grid.standard_imported",
            subject=version,
            after={"number": version.number, "rows": len(specs), "source": source},
            now=now,
        )
    return version


def export_standard(file: FileArg, *, version: CategoryStandardVersion | None = None) -> int:
    """Write a version (default: the current one) in the import template; returns the number of rows."""
    version = version or current_standard_version()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    kind_labels: dict[str, str] = {str(v): k for k, v in KIND_LABELS.items()}
    unit_labels: dict[str, str] = {str(v): k for k, v in UNIT_LABELS.items()}
    rows = standard_rows(version)
    for row in rows:
        minor = row.category
        major = minor.parent
        assert major is not None
        sheet.append(
            [
                major.code,
                major.name,
                minor.code,
                minor.name,
                kind_labels[minor.kind],
                row.filing_condition,
                row.limit_a,
                row.limit_b,
                row.limit_c,
                unit_labels[row.unit],
                row.closing_condition,
                row.responsible_unit,
                "是" if row.urgent else "否",
            ]
        )
    for column in ("A", "C"):  # codes stay text so leading zeros survive
        for cell in sheet[column][1:]:
            cell.number_format = "@"
    for letter, width in zip("ABCDEFGHIJKLM", [8, 12, 8, 14, 10, 40, 8, 8, 8, 12, 30, 18, 6], strict=True):
        sheet.column_dimensions[letter].width = width
    about = workbook.create_sheet("说明")
    about.append(["版本", f"v{version.number}"])
    about.append(["发布时间", version.published_at.isoformat() if version.published_at else "草稿"])
    about.append(["说明", version.note])
    about.append(["模板说明", "见 docs/templates/category-standard.md；导入时只读取「立案结案标准」工作表。"])
    workbook.save(file)
    return len(rows)
