"""A report's two files: the workbook (openpyxl; raw values with number formats, so the cells hold the
very figures) and the PDF (core.pdf's WeasyPrint path, charts as inline SVG images)."""

from __future__ import annotations

import base64
import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from command.display import show, show_change
from command.reports.charts import bar_chart
from core.pdf import render_pdf

NOT_CONNECTED = "未接入"
WARNING_ROWS = (
    ("发出预警", "raised"),
    ("办结", "closed"),
    ("误报撤销", "dismissed"),
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
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
    }
    return render_pdf("command/reports/report_pdf.html", context)
