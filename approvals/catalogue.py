"""The service-item catalogue as rows: the XLSX template (columns documented in docs/approvals.md), row
validation that reports every bad cell at once, content hashing for versioning, and export.
The write (`do_import_catalogue`) is in approvals.actions; this module reads and checks only."""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from stdnum.cn import uscc

from approvals.models import HandlingType, ItemType, LimitUnit, ServiceItem, ServiceLevel, Theme
from core import spreadsheets
from core.spreadsheets import ImportProblem, cell_int, cell_text, header_base

SHEET_TITLE = "服务事项目录"
NOTES_TITLE = "填写说明"
MAX_ROWS = 20000
MAX_LIMIT = 999

# (header, what goes in it). The header text is the contract; docs/approvals.md repeats this table.
COLUMNS: list[tuple[str, str]] = [
    ("基本编码", "必填；2位类型字母 + 5位主项 + 3位子项，如 XK00123001（类型字母须与事项类型一致）"),
    ("实施编码", "必填；≤36位，以实施主体的统一社会信用代码开头；全目录唯一"),
    ("事项名称", "必填；≤120字"),
    ("事项类型", "必填；" + "/".join(str(label) for label in ItemType.labels)),
    ("行使层级", "必填；" + "/".join(str(label) for label in ServiceLevel.labels)),
    ("主题分类", "选填；" + "/".join(str(label) for label in Theme.labels) + "；空=其他"),
    ("实施主体", "必填；实施机关全称"),
    ("实施主体统一社会信用代码", "必填；18位，按 GB 32100 校验"),
    ("审批机构编码", "选填；负责审查决定的机构编码（如 320507-approval）"),
    ("镇级审批机构", "选填；镇（街道）职能机构编码后缀（如 social），按受理中心所在镇确定"),
    ("电子证照类型代码", "选填；办结时签发的电子证照类型（GB/T 36904 证照类型代码）"),
    ("设定依据", "选填"),
    ("受理条件", "选填"),
    ("申请材料", "每行一项：名称|原件/复印件/原件和复印件/电子件|份数|必需 或 情形:适用情形[|模板文件名]"),
    ("法定办结时限", "必填；0–999 的整数"),
    ("法定时限单位", "必填；工作日/自然日"),
    ("法定时限说明", "选填"),
    ("承诺办结时限", "必填；0–999 的整数；即办件为 0"),
    ("承诺时限单位", "必填；工作日/自然日"),
    ("承诺时限说明", "选填"),
    ("办件类型", "必填；即办件/承诺件（即办件承诺时限须为 0）"),
    ("办理渠道", "选填；窗口、网上、邮寄，用顿号分隔"),
    (
        "服务对象",
        "选填；自然人、企业法人、事业单位法人、社会组织法人、非法人企业、行政机关、其他组织，用顿号分隔",
    ),
    ("收费标准", "选填；空=不收费"),
    ("收费依据", "选填"),
    ("到办事现场次数", "选填；0–9 的整数，空=0"),
    ("办理地点", "选填"),
    ("办理时间", "选填"),
    ("咨询电话", "选填"),
    ("监督投诉电话", "选填"),
    ("办理流程", "选填；环节用 → 或换行分隔，如 申请→受理→审查→决定→送达"),
]
HEADERS = [name for name, _hint in COLUMNS]

TYPE_BY_LABEL = {str(label): value for value, label in ItemType.choices}
LEVEL_BY_LABEL = {str(label): value for value, label in ServiceLevel.choices}
THEME_BY_LABEL = {str(label): value for value, label in Theme.choices}
UNIT_BY_LABEL = {str(label): value for value, label in LimitUnit.choices}
HANDLING_BY_LABEL = {str(label): value for value, label in HandlingType.choices}
CHANNEL_BY_LABEL = {"窗口": "window", "网上": "online", "邮寄": "post"}
OBJECT_BY_LABEL = {
    "自然人": "natural_person",
    "企业法人": "enterprise",
    "事业单位法人": "public_institution",
    "社会组织法人": "social_organisation",
    "非法人企业": "unincorporated",
    "行政机关": "government",
    "其他组织": "other",
}
FORM_BY_LABEL = {
    "原件": "original",
    "复印件": "copy",
    "原件和复印件": "original_and_copy",
    "电子件": "electronic",
}
LABEL_OF = {
    **{v: k for k, v in CHANNEL_BY_LABEL.items()},
}
OBJECT_LABEL = {v: k for k, v in OBJECT_BY_LABEL.items()}
FORM_LABEL = {v: k for k, v in FORM_BY_LABEL.items()}
BASIC_CODE_RE = re.compile(r"^([A-Z]{2})(\d{5})(\d{3})?$")
SEPARATORS = re.compile(r"[、,，;；\s]+")

# The fields of ServiceItemVersion that make up a guide (and its content hash).
VERSION_FIELDS = (
    "name",
    "implementing_body",
    "implementing_body_credit_code",
    "legal_basis",
    "conditions",
    "materials",
    "legal_limit_amount",
    "legal_limit_unit",
    "legal_limit_note",
    "promised_limit_amount",
    "promised_limit_unit",
    "promised_limit_note",
    "handling_type",
    "channels",
    "service_objects",
    "fee",
    "fee_basis",
    "visits",
    "theme",
    "place",
    "hours",
    "consultation_phone",
    "complaint_phone",
    "flow_steps",
)
ITEM_FIELDS = (
    "basic_code",
    "name",
    "item_type",
    "service_level",
    "theme",
    "agency_code",
    "agency_suffix",
    "licence_type_code",
)

FileArg = str | Path | IO[bytes]


@dataclass
class ItemRow:
    """One valid catalogue row, normalised to model values."""

    row: int
    implementation_code: str
    item: dict[str, Any]  # ITEM_FIELDS
    guide: dict[str, Any]  # VERSION_FIELDS

    @property
    def content_hash(self) -> str:
        return guide_hash(self.guide)


@dataclass
class ParsedCatalogue:
    rows: list[ItemRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    # Kept for the import result's shape: the promised-limit rule refuses rows now, nothing is only flagged.
    warnings: list[ImportProblem] = field(default_factory=list)


def guide_hash(guide: dict[str, Any]) -> str:
    canonical = json.dumps(
        {name: guide.get(name) for name in VERSION_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def in_work_days(amount: int, unit: str) -> float:
    """A limit in working days, natural days counted 5 in 7, so limits in different units compare."""
    return amount * 5 / 7 if unit == LimitUnit.NATURAL_DAYS else float(amount)


def _exact_work_days(amount: int, unit: str) -> Fraction:
    return Fraction(amount * 5, 7) if unit == LimitUnit.NATURAL_DAYS else Fraction(amount)


DEFAULT_PROMISED_SHARE = 0.5


def promised_share_limit() -> float:
    """The share of the legal limit a promised limit may take (the reform: ≤ 50 %; local, in settings)."""
    return float(getattr(settings, "APPROVALS_PROMISED_SHARE", DEFAULT_PROMISED_SHARE))


def promised_limit_problem(guide: dict[str, Any], share_limit: float | None = None) -> str | None:
    """Why a guide's promised limit is not allowed, or None. Over the legal limit is always refused (an
    item with no legal limit, 0, may only be promised 0); over the configured share of it is refused too."""
    share_limit = promised_share_limit() if share_limit is None else share_limit
    legal_amount = guide["legal_limit_amount"] or 0
    promised_amount = guide["promised_limit_amount"] or 0
    # Exact fractions: 10 of 20 natural days is exactly half, not a float a hair over it.
    legal = _exact_work_days(legal_amount, guide["legal_limit_unit"])
    promised = _exact_work_days(promised_amount, guide["promised_limit_unit"])
    if promised > legal:
        if legal <= 0:
            return f"无法定时限（0）的事项承诺时限只能为 0，实际为 {promised_amount}"
        return f"承诺时限 {promised_amount} 超过法定时限 {legal_amount}"
    if promised > legal * Fraction(str(share_limit)):
        return f"承诺时限 {promised_amount} 超过法定时限 {legal_amount} 的 {share_limit:.0%}"
    return None


# ------------------------------------------------------------------------------------------------ cells


def _list(value: str, mapping: dict[str, str], column: str, fail: Any) -> list[str]:
    result: list[str] = []
    for part in SEPARATORS.split(value):
        if not part:
            continue
        code = mapping.get(part)
        if code is None:
            fail(column, f"「{part}」不是可选值（{'、'.join(mapping)}）")
        elif code not in result:
            result.append(code)
    return result


def parse_materials(value: str, fail: Any) -> list[dict[str, Any]]:
    materials: list[dict[str, Any]] = []
    for number, line in enumerate((line.strip() for line in re.split(r"[\n\r]+", value)), start=1):
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 4 or len(parts) > 5:
            fail("申请材料", f"第{number}项「{line}」应为 名称|形式|份数|必需或情形[|模板]")
            continue
        name, form_label, count_text, need = parts[:4]
        form = FORM_BY_LABEL.get(form_label)
        count = cell_int(count_text, 1, 99)
        problems = []
        if not name:
            problems.append("名称为空")
        if form is None:
            problems.append(f"形式「{form_label}」应为{'/'.join(FORM_BY_LABEL)}")
        if count is None:
            problems.append(f"份数「{count_text}」应为1–99的整数")
        required = need == "必需"
        condition = ""
        if not required:
            match = re.fullmatch(r"情形[:：](.+)", need)
            if match is None:
                problems.append(f"「{need}」应为「必需」或「情形:适用情形」")
            else:
                condition = match.group(1).strip()
        if problems:
            fail("申请材料", f"第{number}项：" + "，".join(problems))
            continue
        materials.append(
            {
                "name": name,
                "form": form,
                "count": count,
                "required": required,
                "condition": condition,
                "template": parts[4] if len(parts) == 5 else "",
            }
        )
    return materials


def format_materials(materials: list[dict[str, Any]]) -> str:
    lines = []
    for m in materials:
        need = "必需" if m.get("required") else f"情形:{m.get('condition', '')}"
        parts = [m["name"], FORM_LABEL.get(m.get("form", ""), "原件"), str(m.get("count", 1)), need]
        if m.get("template"):
            parts.append(m["template"])
        lines.append("|".join(parts))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ rows


def parse_rows(rows: list[tuple[Any, ...]]) -> ParsedCatalogue:
    """Check the header and every data row; every problem is collected, nothing stops at the first."""
    parsed = ParsedCatalogue()
    share_limit = promised_share_limit()
    if not rows:
        parsed.problems.append(ImportProblem(0, "", "文件为空"))
        return parsed
    header = [header_base(h) for h in rows[0]]
    positions: dict[str, int] = {}
    for name in HEADERS:
        if header_base(name) in header:
            positions[name] = header.index(header_base(name))
        else:
            parsed.problems.append(ImportProblem(1, name, "缺少此列"))
    if parsed.problems:
        return parsed
    seen_codes: dict[str, int] = {}
    data_rows = 0
    for number, raw in enumerate(rows[1:], start=2):
        cells = {name: cell_text(raw[i]) if i < len(raw) else "" for name, i in positions.items()}
        if not any(cells.values()):
            continue
        data_rows += 1
        row = parse_row(number, cells, parsed.problems)
        if row is None:
            continue
        first = seen_codes.setdefault(row.implementation_code, number)
        if first != number:
            parsed.problems.append(ImportProblem(number, "实施编码", f"与第{first}行重复"))
            continue
        reason = promised_limit_problem(row.guide, share_limit)
        if reason is not None:
            parsed.problems.append(ImportProblem(number, "承诺办结时限", reason))
            continue
        parsed.rows.append(row)
    if data_rows == 0:
        parsed.problems.append(ImportProblem(0, "", "文件没有数据行"))
    elif data_rows > MAX_ROWS:
        parsed.problems.append(ImportProblem(0, "", f"数据行超过 {MAX_ROWS} 行"))
    return parsed


def parse_row(number: int, cells: dict[str, str], sink: list[ImportProblem]) -> ItemRow | None:
    """One data row (cells by header) → an ItemRow, or None with its problems appended to `sink`."""
    bad: list[ImportProblem] = []

    def fail(column: str, reason: str) -> None:
        bad.append(ImportProblem(number, column, reason))

    def required(column: str, limit: int) -> str:
        value = cells.get(column, "")
        if not value:
            fail(column, "不能为空")
        elif len(value) > limit:
            fail(column, f"不超过{limit}字")
        return value

    def optional(column: str, limit: int) -> str:
        value = cells.get(column, "")
        if len(value) > limit:
            fail(column, f"不超过{limit}字")
        return value

    def choice(column: str, mapping: dict[str, str], default: str | None = None) -> str:
        value = cells.get(column, "")
        if not value and default is not None:
            return default
        if value not in mapping:
            fail(column, f"应为{'/'.join(mapping)}之一，实际为「{value}」" if value else "不能为空")
            return ""
        return mapping[value]

    def limit(column: str) -> int:
        value = cells.get(column, "")
        amount = cell_int(value, 0, MAX_LIMIT)
        if amount is None:
            fail(column, f"应为0–{MAX_LIMIT}的整数，实际为「{value}」" if value else "不能为空（须填写时限）")
            return 0
        return amount

    basic_code = required("基本编码", 12).upper()
    implementation_code = required("实施编码", 36)
    name = required("事项名称", 120)
    item_type = choice("事项类型", TYPE_BY_LABEL)
    level = choice("行使层级", LEVEL_BY_LABEL)
    theme = choice("主题分类", THEME_BY_LABEL, default=Theme.OTHER)
    body = required("实施主体", 100)
    credit_code = cells.get("实施主体统一社会信用代码", "").upper()
    if not credit_code:
        fail("实施主体统一社会信用代码", "不能为空")
    elif not uscc.is_valid(credit_code):
        fail("实施主体统一社会信用代码", f"「{credit_code}」不是有效的统一社会信用代码（GB 32100 校验失败）")
    if basic_code:
        match = BASIC_CODE_RE.match(basic_code)
        if match is None:
            fail("基本编码", f"「{basic_code}」应为2位类型字母+5位主项+3位子项")
        elif item_type and match.group(1) != item_type:
            fail("基本编码", f"类型字母 {match.group(1)} 与事项类型（{item_type}）不一致")
    if implementation_code and credit_code and not implementation_code.upper().startswith(credit_code):
        fail("实施编码", "应以实施主体的统一社会信用代码开头")
    agency_code = optional("审批机构编码", 40)
    agency_suffix = optional("镇级审批机构", 40)
    legal_amount = limit("法定办结时限")
    legal_unit = choice("法定时限单位", UNIT_BY_LABEL)
    promised_amount = limit("承诺办结时限")
    promised_unit = choice("承诺时限单位", UNIT_BY_LABEL)
    handling = choice("办件类型", HANDLING_BY_LABEL)
    if handling == HandlingType.IMMEDIATE and cells.get("承诺办结时限") and promised_amount != 0:
        fail("承诺办结时限", "即办件的承诺时限应为 0")
    if handling == HandlingType.PROMISED and cells.get("承诺办结时限") and promised_amount == 0:
        fail("办件类型", "承诺时限为 0 的事项应为即办件")
    visits_text = cells.get("到办事现场次数", "")
    visits = cell_int(visits_text, 0, 9) if visits_text else 0
    if visits is None:
        fail("到办事现场次数", f"应为0–9的整数，实际为「{visits_text}」")
    channels = _list(cells.get("办理渠道", ""), CHANNEL_BY_LABEL, "办理渠道", fail)
    objects = _list(cells.get("服务对象", ""), OBJECT_BY_LABEL, "服务对象", fail)
    materials = parse_materials(cells.get("申请材料", ""), fail)
    flow = [s.strip() for s in re.split(r"→|->|[\n\r]+", cells.get("办理流程", "")) if s.strip()]
    guide = {
        "name": name,
        "implementing_body": body,
        "implementing_body_credit_code": credit_code,
        "legal_basis": optional("设定依据", 4000),
        "conditions": optional("受理条件", 4000),
        "materials": materials,
        "legal_limit_amount": legal_amount,
        "legal_limit_unit": legal_unit,
        "legal_limit_note": optional("法定时限说明", 200),
        "promised_limit_amount": promised_amount,
        "promised_limit_unit": promised_unit,
        "promised_limit_note": optional("承诺时限说明", 200),
        "handling_type": handling,
        "channels": channels,
        "service_objects": objects,
        "fee": optional("收费标准", 200),
        "fee_basis": optional("收费依据", 300),
        "visits": visits or 0,
        "theme": theme,
        "place": optional("办理地点", 200),
        "hours": optional("办理时间", 200),
        "consultation_phone": optional("咨询电话", 40),
        "complaint_phone": optional("监督投诉电话", 40),
        "flow_steps": flow,
    }
    if bad:
        sink.extend(bad)
        return None
    return ItemRow(
        row=number,
        implementation_code=implementation_code.upper(),
        item={
            "basic_code": basic_code,
            "name": name,
            "item_type": item_type,
            "service_level": level,
            "theme": theme,
            "agency_code": agency_code,
            "agency_suffix": agency_suffix,
            "licence_type_code": optional("电子证照类型代码", 40),
        },
        guide=guide,
    )


def rows_from_dicts(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows in the template's shape (header first) from dicts keyed by header (demo, bench, tests)."""
    return [tuple(HEADERS)] + [tuple(record.get(h, "") for h in HEADERS) for record in records]


def read_rows(file: FileArg) -> list[tuple[Any, ...]]:
    return spreadsheets.read_rows(file, sheet_title=SHEET_TITLE)


# ------------------------------------------------------------------------------------------------ export


def _label(choices: Any, value: str) -> str:
    for choice_value, label in choices:
        if choice_value == value:
            return str(label)
    return value


def record_of(item: ServiceItem) -> dict[str, Any]:
    """An item's current guide as a template row (dict by header)."""
    version = item.current_version
    assert version is not None
    return {
        "基本编码": item.basic_code,
        "实施编码": item.implementation_code,
        "事项名称": version.name,
        "事项类型": _label(ItemType.choices, item.item_type),
        "行使层级": _label(ServiceLevel.choices, item.service_level),
        "主题分类": _label(Theme.choices, version.theme),
        "实施主体": version.implementing_body,
        "实施主体统一社会信用代码": version.implementing_body_credit_code,
        "审批机构编码": item.agency.code if item.agency is not None else "",
        "镇级审批机构": item.agency_suffix,
        "电子证照类型代码": item.licence_type_code,
        "设定依据": version.legal_basis,
        "受理条件": version.conditions,
        "申请材料": format_materials(version.materials),
        "法定办结时限": version.legal_limit_amount,
        "法定时限单位": _label(LimitUnit.choices, version.legal_limit_unit),
        "法定时限说明": version.legal_limit_note,
        "承诺办结时限": version.promised_limit_amount,
        "承诺时限单位": _label(LimitUnit.choices, version.promised_limit_unit),
        "承诺时限说明": version.promised_limit_note,
        "办件类型": _label(HandlingType.choices, version.handling_type),
        "办理渠道": "、".join(LABEL_OF.get(c, c) for c in version.channels),
        "服务对象": "、".join(OBJECT_LABEL.get(o, o) for o in version.service_objects),
        "收费标准": version.fee,
        "收费依据": version.fee_basis,
        "到办事现场次数": version.visits,
        "办理地点": version.place,
        "办理时间": version.hours,
        "咨询电话": version.consultation_phone,
        "监督投诉电话": version.complaint_phone,
        "办理流程": "→".join(version.flow_steps),
    }


def workbook_bytes(records: list[dict[str, Any]]) -> bytes:
    """An XLSX in the template: the catalogue sheet (header + records) and the notes sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([record.get(h, "") for h in HEADERS])
    for column in sheet.iter_cols(min_row=2, max_row=sheet.max_row):
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes = workbook.create_sheet(NOTES_TITLE)
    notes.append(["列名", "填写要求"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for name, hint in COLUMNS:
        notes.append([name, hint])
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_bytes() -> bytes:
    return workbook_bytes([])
