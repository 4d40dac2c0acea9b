"""XLSX import of the property register (产权登记), template in docs/licences.md. Every row is checked
and every problem reported at once (row number + reason); one bad row and nothing is imported. A row whose
不动产权证号 is already registered updates that record (e.g. to record its cancellation)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core import spreadsheets
from core.errors import PermissionRefused
from core.idnumbers import is_valid_citizen_id
from core.pii import encrypt, lookup_hash
from core.spreadsheets import ImportProblem, SpreadsheetImportError
from licences.models import PropertyRecord
from territory.models import Division

SHEET_TITLE = "产权登记"
HEADERS = [
    "权利人姓名",
    "权利人身份证号",
    "不动产坐落",
    "不动产权证号",
    "区划代码",
    "建筑面积",
    "登记日期",
    "注销日期",
]
REQUIRED = HEADERS[:7]
MAX_ROWS = 20000
IMPORT_ROLES = frozenset({Role.DATA_STEWARD})


@dataclass(frozen=True)
class PropertyRow:
    owner_name: str
    owner_id: str
    address: str
    certificate_number: str
    territory_code: str
    area_m2: Decimal
    registered_at: date
    cancelled_at: date | None


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def parse_rows(
    rows: list[tuple[Any, ...]], *, known_codes: set[str]
) -> tuple[list[PropertyRow], list[ImportProblem]]:
    """Check the header and every data row; return the rows and every problem found."""
    if not rows:
        return [], [ImportProblem(0, "", "文件为空")]
    header = [re.sub(r"[\s（(].*$", "", _text(h)) for h in rows[0]]
    positions: dict[str, int] = {}
    problems = []
    for name in HEADERS:
        if name in header:
            positions[name] = header.index(name)
        elif name in REQUIRED:
            problems.append(ImportProblem(1, name, "缺少此列"))
    if problems:
        return [], problems
    parsed: list[PropertyRow] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        cells = {name: (raw[i] if i < len(raw) else None) for name, i in positions.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        if len(parsed) + len(problems) >= MAX_ROWS:
            problems.append(ImportProblem(number, "", f"超过{MAX_ROWS}行，请分批导入"))
            break
        bad: list[ImportProblem] = []
        owner_name = _text(cells["权利人姓名"])
        owner_id = _text(cells["权利人身份证号"]).replace(" ", "").upper()
        address = _text(cells["不动产坐落"])
        certificate_number = _text(cells["不动产权证号"])
        territory_code = _text(cells["区划代码"])
        if not owner_name or len(owner_name) > 100:
            bad.append(ImportProblem(number, "权利人姓名", "不能为空（不超过100字）"))
        if not is_valid_citizen_id(owner_id):
            bad.append(ImportProblem(number, "权利人身份证号", "不是有效的公民身份号码"))
        if not address or len(address) > 300:
            bad.append(ImportProblem(number, "不动产坐落", "不能为空（不超过300字）"))
        if not certificate_number or len(certificate_number) > 80:
            bad.append(ImportProblem(number, "不动产权证号", "不能为空（不超过80字）"))
        elif certificate_number in seen:
            bad.append(ImportProblem(number, "不动产权证号", f"与第{seen[certificate_number]}行重复"))
        else:
            seen[certificate_number] = number
        if territory_code not in known_codes:
            bad.append(
                ImportProblem(number, "区划代码", f"「{territory_code}」不是管辖范围内的乡镇或村（社区）代码")
            )
        try:
            area = Decimal(_text(cells["建筑面积"]))
            if not (Decimal(0) < area < Decimal(100000)) or area.as_tuple().exponent < -2:  # type: ignore[operator]
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            area = Decimal(0)
            bad.append(ImportProblem(number, "建筑面积", "应为大于0的数字（最多两位小数）"))
        registered = _date(cells["登记日期"])
        if registered is None:
            bad.append(ImportProblem(number, "登记日期", "应为日期，如 2020-05-18"))
        cancelled_raw = cells.get("注销日期")
        cancelled = _date(cancelled_raw) if _text(cancelled_raw) else None
        if _text(cancelled_raw) and cancelled is None:
            bad.append(ImportProblem(number, "注销日期", "应为日期或留空"))
        elif cancelled and registered and cancelled < registered:
            bad.append(ImportProblem(number, "注销日期", "早于登记日期"))
        if bad:
            problems.extend(bad)
            continue
        assert registered is not None
        parsed.append(
            PropertyRow(
                owner_name, owner_id, address, certificate_number, territory_code, area, registered, cancelled
            )
        )
    if not parsed and not problems:
        problems.append(ImportProblem(0, "", "文件没有数据行"))
    return parsed, problems


def read_sheet(file: IO[bytes]) -> list[tuple[Any, ...]]:
    return spreadsheets.read_rows(file, sheet_title=SHEET_TITLE)


def do_import_property_records(
    file: IO[bytes], *, actor: User, now: datetime, is_demo: bool = False
) -> ImportResult:
    """Import the register from an XLSX file (data stewards, within their jurisdiction)."""
    if not (actor.is_system or user_roles(actor) & IMPORT_ROLES):
        raise PermissionRefused("not_allowed", "只有数据管理员可以导入产权登记。")
    known = {
        code
        for code in Division.objects.exclude(level=Division.Level.DISTRICT).values_list("code", flat=True)
        if actor.is_system or may_see_code(actor, code)
    }
    rows, problems = parse_rows(read_sheet(file), known_codes=known)
    if problems:
        raise SpreadsheetImportError(problems)
    with transaction.atomic():
        existing = {
            r.certificate_number: r
            for r in PropertyRecord.objects.select_for_update().filter(
                certificate_number__in=[row.certificate_number for row in rows]
            )
        }
        new: list[PropertyRecord] = []
        changed: list[PropertyRecord] = []
        for row in rows:
            values = {
                "owner_name": row.owner_name,
                "owner_id_encrypted": encrypt(row.owner_id),
                "owner_id_hash": lookup_hash(row.owner_id),
                "property_address": row.address,
                "territory_code": row.territory_code,
                "area_m2": row.area_m2,
                "registered_at": row.registered_at,
                "cancelled_at": row.cancelled_at,
                "imported_at": now,
                "is_demo": is_demo,
            }
            record = existing.get(row.certificate_number)
            if record is None:
                new.append(PropertyRecord(certificate_number=row.certificate_number, **values))
            else:
                for name, value in values.items():
                    setattr(record, name, value)
                changed.append(record)
        PropertyRecord.objects.bulk_create(new, batch_size=1000)
        if changed:
            PropertyRecord.objects.bulk_update(changed, [*values.keys()], batch_size=1000)
        record_event(
            actor=actor,
            action="licences.property_records_imported",
            subject_type="licences.propertyrecord",
            after={"created": len(new), "updated": len(changed)},
            now=now,
        )
    return ImportResult(created=len(new), updated=len(changed))


def template_workbook() -> bytes:
    """The blank template with its header row and one example row (a valid, fictitious ID)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(
        [
            "张三",
            "11010519491231002X",
            "黄桥街道胡湾路88号3幢502室",
            "苏(2020)苏州市相城区不动产权第0001234号",
            "320507003",
            89.5,
            "2020-05-18",
            "",
        ]
    )
    for column, width in zip("ABCDEFGH", (12, 22, 36, 40, 14, 12, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_of(rows: list[list[Any]]) -> bytes:
    """An XLSX file of the header and `rows` (tests and demo)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
