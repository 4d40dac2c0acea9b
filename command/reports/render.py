"""A report's two files: the workbook (openpyxl; raw values with number formats, so the cells hold the
very figures) and the PDF (core.pdf's WeasyPrint path, charts as inline SVG images)."""

from __future__ import annotations

import base64
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from command.display import show, show_change
from command.reports.charts import bar_chart
from core.pdf import render_pdf
from territorial.report import CATEGORIES, FundsSection, VillageFunds

NOT_CONNECTED = "未接入"
WARNING_ROWS = (
    ("发出预警", "raised"),
    ("办结", "closed"),
    ("误报撤销", "dismissed"),
    ("自动解除", "withdrawn"),
    ("督办", "supervised"),
    ("期末仍未办结", "open_at_end"),
)
FIGURE_HEADER = ["代码", "指标", "本期", "上期（环比基期）", "环比", "去年同期", "同比", "等级"]


def _sheet(book: Workbook, title: str, header: list[str]) -> Worksheet:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return sheet


def _fmt(kind: str) -> str:
    return "0.0%" if kind == "rate" else "0.00" if kind == "score" else "0"


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def workbook(content: dict[str, Any], *, generated_at: Any) -> bytes:
    scope, period = content["scope"], content["period"]
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "封面"
    for row in (
        ["报告", f"{scope.name}{period.label}{period.kind_name}"],
        ["区划代码", scope.code],
        ["期别", period.key],
        ["统计区间（本地时间，含首尾）", f"{period.first_day} 至 {period.last_day}"],
        ["环比基期", "上一等长时段"],
        ["同比基期", "去年同期"],
        ["生成时间", _local(generated_at)],
    ):
        cover.append(row)
    sheet = _sheet(book, "指标", FIGURE_HEADER)
    for row in content["rows"]:
        if not row["connected"]:
            sheet.append([row["code"], row["name"], f"{NOT_CONNECTED}（{row['source']}）"])
            continue
        sheet.append(
            [
                row["code"],
                row["name"],
                row["value"],
                row["previous"],
                row["mom"],
                row["last_year"],
                row["yoy"],
                row.get("grade"),
            ]
        )
        number = _fmt(row["kind"])
        change = "0.0%" if row["kind"] in ("count", "rate") else "0.00"
        for col, fmt in (("C", number), ("D", number), ("E", change), ("F", number), ("G", change)):
            sheet[f"{col}{sheet.max_row}"].number_format = fmt
    for title, key in (("来源构成", "source_shares"), ("事件部件", "kind_split")):
        sheet = _sheet(book, title, ["代码", "名称", "占立案比例"])
        for share in content[key]:
            sheet.append([share["code"], share["name"], share["share"]])
            sheet[f"C{sheet.max_row}"].number_format = "0.0%"
    sheet = _sheet(book, "高发类别前三", ["类别", "名称", "立案数"])
    for top in content["top_categories"]:
        sheet.append([top["category"], top["name"], top["count"]])
    sheet = _sheet(book, "单位排名", ["名次", "代码", "单位", "综合指标值", "等级"])
    for unit in content["ranking"]:
        sheet.append([unit["place"], unit["code"], unit["name"], unit["score"], unit["grade"] or "—"])
    sheet = _sheet(book, "超期未办", ["受理编号", "标题", "状态", "区划/网格", "类别", "创建时间"])
    for item in content["overdue"]:
        sheet.append(
            [
                item["receipt_number"],
                item["title"],
                item["state"],
                item["territory_code"],
                item["category"],
                _local(item["created_at"]),
            ]
        )
    warnings = content["warnings"]
    sheet = _sheet(book, "预警", ["项目", "数量"])
    for label, key in WARNING_ROWS:
        sheet.append([label, warnings[key]])
    for label, n in warnings["by_level"] + warnings["by_rule"]:
        sheet.append([f"其中：{label}", n])
    _funds_sheets(book, content["funds"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def funds_header(section: FundsSection) -> list[str]:
    month = f"{section.disclosure_month.year}年{section.disclosure_month.month}月"
    return [
        "村/社区代码",
        "村/社区",
        "集体经济组织数",
        "期初余额",
        "本期收入",
        "本期支出",
        *(f"其中：{label}" for _, label in CATEGORIES),
        "期末余额",
        "本期新签合同",
        "90天内到期合同",
        "到期未续签或终止合同",
        "租金逾期笔数",
        "租金逾期金额",
        "待审批支出笔数",
        "待审批支出金额",
        "资产变动笔数",
        "余额与明细相符",
        f"财务公开按时（{month}，{section.disclosure_deadline.month}月{section.disclosure_deadline.day}日前）",
        "公开期限后补记笔数",
    ]


def funds_row(v: VillageFunds) -> list[Any]:
    disclosure = v.disclosure
    return [
        v.code,
        v.name,
        v.organisations,
        v.opening,
        v.income,
        v.expenditure,
        *(v.by_category[code] for code, _ in CATEGORIES),
        v.closing,
        v.contracts_signed,
        v.contracts_expiring,
        v.contracts_ended,
        v.instalments_overdue,
        v.overdue_amount,
        v.payments_pending,
        v.pending_amount,
        v.asset_changes,
        _yes(v.reconciles),
        _yes(disclosure.on_time) if disclosure else "",
        disclosure.late_entries if disclosure else 0,
    ]


def _funds_sheets(book: Workbook, section: FundsSection) -> None:
    """三资: one row per village with a collective economic organisation and the total; money cells hold
    the Decimal figures (yuan, two places)."""
    sheet = _sheet(book, "三资", funds_header(section))
    for village in [*section.villages, section.total]:
        sheet.append(funds_row(village))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    sheet = _sheet(book, "三资资产变动", ["生效日期", "村/社区代码", "变动类型", "卡片编号", "名称", "原值"])
    for change in section.asset_changes:
        sheet.append(
            [change.applied_on, change.village_code, change.kind, change.number, change.name, change.value]
        )
        sheet[f"A{sheet.max_row}"].number_format = "yyyy-mm-dd"
        sheet[f"F{sheet.max_row}"].number_format = "#,##0.00"


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def charts(content: dict[str, Any]) -> dict[str, str]:
    ranking = [(u["name"], u["score"]) for u in content["ranking"]]
    shares = [
        (s["name"], round(100 * s["share"], 1) if s["share"] is not None else None)
        for s in content["source_shares"]
    ]
    return {
        "ranking": bar_chart("下级单位综合指标值", ranking, maximum=100),
        "sources": bar_chart("立案来源占比", shares, maximum=100, suffix="%"),
    }


def pdf(content: dict[str, Any], *, generated_at: Any) -> bytes:
    drawn = charts(content)
    shown = [
        {
            **row,
            "value_text": show(row.get("value"), row["kind"]),
            "previous_text": show(row.get("previous"), row["kind"]),
            "mom_text": show_change(row.get("mom"), row["kind"]),
            "yoy_text": show_change(row.get("yoy"), row["kind"]),
        }
        for row in content["rows"]
    ]
    context = {
        **content,
        "rows": shown,
        "generated_at": _local(generated_at),
        "charts": {name: _svg_uri(svg) for name, svg in drawn.items()},
        "not_connected": NOT_CONNECTED,
        "kind_name": content["period"].kind_name,
        "category_names": [label for _, label in CATEGORIES],
        "funds_rows": [
            {"v": v, "categories": [v.by_category[code] for code, _ in CATEGORIES]}
            for v in [*content["funds"].villages, content["funds"].total]
        ],
    }
    return render_pdf("command/reports/report_pdf.html", context)
