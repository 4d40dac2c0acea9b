"""XLSX import of the enforcement-matter catalogue (执法事项目录), template documented in
docs/enforcement.md. Every row is checked and every problem reported at once (row number, column,
reason); one bad row and nothing is imported. Matters are upserted by code with their three bands."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from openpyxl import Workbook

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core import spreadsheets
from core.errors import PermissionRefused
from core.spreadsheets import ImportProblem, SpreadsheetImportError, cell_text, header_base
from enforcement.models import CircumstanceLevel, DiscretionBand, EnforcementMatter, Sector

SHEET_TITLE = "执法事项"
LEVEL_HEADERS = {
    CircumstanceLevel.LIGHTER: ("从轻情形", "从轻罚款下限", "从轻罚款上限"),
    CircumstanceLevel.ORDINARY: ("一般情形", "一般罚款下限", "一般罚款上限"),
    CircumstanceLevel.HEAVIER: ("从重情形", "从重罚款下限", "从重罚款上限"),
}
HEADERS = [
    "事项编码",
    "事项名称",
    "领域",
    "违法依据",
    "处罚依据",
    "处罚种类",
    "可听证(是/否)",
    "可适用简易程序(是/否)",
    *[h for triple in LEVEL_HEADERS.values() for h in triple],
    "其他处理措施",
]
YES_NO = {"是": True, "否": False, "": False}
SECTOR_BY_LABEL = {str(label): value for value, label in Sector.choices}
MAX_ROWS = 5000
CODE_RE = re.compile(r"^[A-Za-z0-9\-_.]{1,40}$")

FileArg = str | Path | IO[bytes]


@dataclass
class BandSpec:
    level: str
    circumstances: str
    fine_min: Decimal | None
    fine_max: Decimal | None


@dataclass
class MatterSpec:
    code: str
    name: str
    sector: str
    violation_basis: str
    penalty_basis: str
    penalty_types: list[str]
    hearing_possible: bool
    summary_allowed: bool
    other_measures: str
    bands: list[BandSpec] = field(default_factory=list)


def parse_rows(rows: list[tuple[Any, ...]]) -> tuple[list[MatterSpec], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    if not rows:
        return [], [ImportProblem(0, "", "文件没有内容")]
    header = [header_base(h) for h in rows[0]]
    wanted = [header_base(h) for h in HEADERS]
    missing = [h for h in wanted if h not in header]
    if missing:
        return [], [ImportProblem(1, h, "缺少该列") for h in missing]
    index = {name: header.index(name) for name in wanted}
    specs: list[MatterSpec] = []
    seen: dict[str, int] = {}
    if len(rows) - 1 > MAX_ROWS:
        return [], [ImportProblem(0, "", f"超过 {MAX_ROWS} 行")]
    for number, row in enumerate(rows[1:], start=2):
        if all(cell_text(v) == "" for v in row):
            continue

        def cell(name: str, row: tuple[Any, ...] = row) -> str:
            position = index[header_base(name)]
            return cell_text(row[position]) if position < len(row) else ""

        def bad(column: str, reason: str, number: int = number) -> None:
            problems.append(ImportProblem(number, column, reason))

        code = cell("事项编码")
        if not CODE_RE.match(code):
            bad("事项编码", "须为 1–40 位字母、数字或 -_.")
        elif code in seen:
            bad("事项编码", f"与第{seen[code]}行重复")
        else:
            seen[code] = number
        name = cell("事项名称")
        if not name or len(name) > 200:
            bad("事项名称", "必填，且不超过200字")
        sector = SECTOR_BY_LABEL.get(cell("领域"))
        if sector is None:
            bad("领域", f"须为：{'、'.join(SECTOR_BY_LABEL)}")
        for column in ("违法依据", "处罚依据"):
            if not cell(column):
                bad(column, "必填")
        flags: dict[str, bool] = {}
        for column in ("可听证(是/否)", "可适用简易程序(是/否)"):
            value = cell(column)
            if value not in YES_NO:
                bad(column, "须为“是”或“否”")
            flags[column] = YES_NO.get(value, False)
        bands: list[BandSpec] = []
        for level, (circ, low_col, high_col) in LEVEL_HEADERS.items():
            amounts: list[Decimal | None] = []
            for column in (low_col, high_col):
                raw = cell(column)
                if raw == "":
                    amounts.append(None)
                    continue
                try:
                    amount = Decimal(raw)
                except InvalidOperation:
                    bad(column, "须为金额（元）")
                    amounts.append(None)
                    continue
                if amount < 0:
                    bad(column, "不能为负数")
                amounts.append(amount)
            low, high = amounts
            if low is not None and high is not None and low > high:
                bad(high_col, "上限小于下限")
            if cell(circ) or low is not None or high is not None:
                bands.append(BandSpec(level=level, circumstances=cell(circ), fine_min=low, fine_max=high))
        if not bands:
            bad("一般情形", "至少填写一个裁量阶次")
        specs.append(
            MatterSpec(
                code=code,
                name=name,
                sector=sector or "",
                violation_basis=cell("违法依据"),
                penalty_basis=cell("处罚依据"),
                penalty_types=[p for p in re.split(r"[、,，;；]", cell("处罚种类")) if p.strip()],
                hearing_possible=flags["可听证(是/否)"],
                summary_allowed=flags["可适用简易程序(是/否)"],
                other_measures=cell("其他处理措施"),
                bands=bands,
            )
        )
    if not specs and not problems:
        problems.append(ImportProblem(0, "", "没有数据行"))
    return specs, problems


def read_rows(file: FileArg) -> list[tuple[Any, ...]]:
    return spreadsheets.read_rows(file, sheet_title=SHEET_TITLE)


def save_specs(specs: list[MatterSpec]) -> dict[str, int]:
    """Upsert matters and replace their bands (inside the caller's transaction)."""
    created = updated = 0
    for spec in specs:
        matter, was_created = EnforcementMatter.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "sector": spec.sector,
                "violation_basis": spec.violation_basis,
                "penalty_basis": spec.penalty_basis,
                "penalty_types": spec.penalty_types,
                "hearing_possible": spec.hearing_possible,
                "summary_allowed": spec.summary_allowed,
                "active": True,
            },
        )
        created += int(was_created)
        updated += int(not was_created)
        matter.bands.all().delete()
        DiscretionBand.objects.bulk_create(
            [
                DiscretionBand(
                    matter=matter,
                    level=band.level,
                    circumstances=band.circumstances,
                    fine_min=band.fine_min,
                    fine_max=band.fine_max,
                    other_measures=spec.other_measures,
                )
                for band in spec.bands
            ]
        )
    return {"created": created, "updated": updated}


def do_import_matters(file: FileArg, *, actor: User, now: datetime) -> dict[str, int]:
    """Import the catalogue from XLSX: all rows or none (SpreadsheetImportError lists every problem)."""
    if not actor.is_system and not (user_roles(actor) & {Role.DATA_STEWARD, Role.LEADER}):
        raise PermissionRefused("not_allowed", "只有数据管理员或领导可以导入执法事项目录。")
    specs, problems = parse_rows(read_rows(file))
    if problems:
        raise SpreadsheetImportError(problems)
    with transaction.atomic():
        counts = save_specs(specs)
        record_event(
            actor=actor,
            action="enforcement.import_matters",
            subject_type="enforcement.enforcementmatter",
            after={**counts, "codes": [s.code for s in specs][:200]},
            now=now,
        )
    return counts


def write_template(file: FileArg, specs: list[MatterSpec] | None = None) -> int:
    """The template (headers, and the given matters as rows)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    labels = dict(Sector.choices)
    for spec in specs or []:
        by_level = {b.level: b for b in spec.bands}
        cells: list[Any] = [
            spec.code,
            spec.name,
            str(labels[spec.sector]),
            spec.violation_basis,
            spec.penalty_basis,
            "、".join(spec.penalty_types),
            "是" if spec.hearing_possible else "否",
            "是" if spec.summary_allowed else "否",
        ]
        for level in LEVEL_HEADERS:
            band = by_level.get(level)
            cells += [
                band.circumstances if band else "",
                float(band.fine_min) if band and band.fine_min is not None else None,
                float(band.fine_max) if band and band.fine_max is not None else None,
            ]
        cells.append(spec.other_measures)
        sheet.append(cells)
    book.save(file)
    return len(specs or [])
