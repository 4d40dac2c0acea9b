"""The indicator catalogue (data, not code): what each indicator is called, how it is computed, what it
can be cut by, and the definition shown on hover. `command/indicators.py` evaluates the formulas over the
ledger rollup; an indicator whose `source` is not connected answers "未接入" and never a number."""

from __future__ import annotations

# Dimensions every grid-stream indicator can be cut by (the rollup's keys, and the unit holding the
# items: command/cuts.py); a row may name fewer ("dimensions").
GRID_DIMENSIONS = ("level", "code", "period", "stream", "category", "source", "unit")
# The other streams' indicators: by unit too when they are sums of their ledger rollup.
STREAM_DIMENSIONS = ("level", "code", "period", "stream")
ROLLUP_STREAM_DIMENSIONS = (*STREAM_DIMENSIONS, "unit")

# source: "grid" = the grid_event ledger rollup; the other streams' indicators are in
# command/catalogue_streams.py.
INDICATORS: list[dict[str, object]] = [
    {
        "code": "accepted",
        "zh": "受理数",
        "en": "Accepted reports",
        "unit": "件",
        "kind": "count",
        "formula": "valid",
        "definition": "期内上报且被受理（立案或自行处置，不含作废、重复件）的事件数。",
        "definition_en": (
            "Events reported in the period and accepted (filed or handled on the spot; excluding voided and "
            "duplicate reports)."
        ),
    },
    {
        "code": "filed",
        "zh": "立案数",
        "en": "Cases filed",
        "unit": "件",
        "kind": "count",
        "formula": "filed",
        "definition": "期内上报并立案的事件数（自行处置的不立案）。",
        "definition_en": (
            "Events reported in the period and filed as cases (those handled on the spot are not filed)."
        ),
    },
    {
        "code": "due",
        "zh": "应结案数",
        "en": "Cases due",
        "unit": "件",
        "kind": "count",
        "formula": "due",
        "definition": "期内到期的事件：期内结案且此前未超期的，加上期末未结而首次超期落在期内的。",
        "definition_en": (
            "Events falling due in the period: those closed in the period without having gone overdue "
            "before, plus those still open at the end of the period whose first overdue date falls in the "
            "period."
        ),
    },
    {
        "code": "deferred",
        "zh": "缓办数",
        "en": "Deferred",
        "unit": "件",
        "kind": "count",
        "formula": "deferred",
        "definition": "应结案中结案前（或期末前）挂账或批准延期的。",
        "definition_en": (
            "Cases due that were put on hold or granted an approved extension before closing (or before the "
            "end of the period)."
        ),
    },
    {
        "code": "closed",
        "zh": "结案数",
        "en": "Cases closed",
        "unit": "件",
        "kind": "count",
        "formula": "closed",
        "definition": "期内结案的事件数。",
        "definition_en": "Events closed in the period.",
    },
    {
        "code": "closure_rate",
        "zh": "结案率",
        "en": "Closure rate",
        "unit": "%",
        "kind": "rate",
        "formula": "due_closed / (due - deferred)",
        "definition": "结案率 = 应结案中已结案数 / (应结案数 − 缓办数)。",
        "definition_en": "Closure rate = cases due that were closed / (cases due − deferred).",
    },
    {
        "code": "on_time_closure_rate",
        "zh": "按期结案率",
        "en": "On-time closure rate",
        "unit": "%",
        "kind": "rate",
        "formula": "due_closed_on_time / (due - deferred)",
        "definition": "按期结案率 = 应结案中按期结案数 / (应结案数 − 缓办数)。",
        "definition_en": (
            "On-time closure rate = cases due that were closed on time / (cases due − deferred)."
        ),
    },
    {
        "code": "disposal_rate",
        "zh": "处置率",
        "en": "Disposal rate",
        "unit": "%",
        "kind": "rate",
        "formula": "(due - due_open) / due",
        "definition": "处置率 = (应处置数 − 期末仍未办结的) / 应处置数；应处置数即应结案数（含缓办）。",
        "definition_en": (
            "Disposal rate = (cases to dispose of − those still unresolved at the end of the period) / cases "
            "to dispose of; the cases to dispose of are the cases due (deferred included)."
        ),
    },
    {
        "code": "on_time_disposal_rate",
        "zh": "按期处置率",
        "en": "On-time disposal rate",
        "unit": "%",
        "kind": "rate",
        "formula": "closed_on_time / closed",
        "definition": "按期处置率 = 期内结案中无超期记录的 / 期内结案数。",
        "definition_en": (
            "On-time disposal rate = cases closed in the period with no overdue record / cases closed in the "
            "period."
        ),
    },
    {
        "code": "rework_rate",
        "zh": "返工率",
        "en": "Rework rate",
        "unit": "%",
        "kind": "rate",
        "formula": "reworks / due",
        "definition": "返工率 = 返工次数（核查不通过）/ 应结案数。",
        "definition_en": "Rework rate = reworks (failed verifications) / cases due.",
    },
    {
        "code": "extension_rate",
        "zh": "延期率",
        "en": "Extension rate",
        "unit": "%",
        "kind": "rate",
        "formula": "extended / due",
        "definition": "延期率 = 经批准延期后结案的 / 应处置数（应结案数）。",
        "definition_en": (
            "Extension rate = cases closed after an approved extension / cases to dispose of (cases due)."
        ),
    },
    {
        "code": "overdue_rate",
        "zh": "超期率",
        "en": "Overdue rate",
        "unit": "%",
        "kind": "rate",
        "formula": "(due - deferred - due_closed_on_time) / (due - deferred)",
        "definition": "超期率 = 1 − 按期结案率：应结案（不含缓办）中未按期结案的比例。",
        "definition_en": (
            "Overdue rate = 1 − on-time closure rate: the share of cases due (excluding deferred) not closed "
            "on time."
        ),
    },
    {
        "code": "overdue_open",
        "zh": "超期未办数",
        "en": "Overdue, still open",
        "unit": "件",
        "kind": "count",
        "formula": "overdue_open",
        "definition": "期末时已超期（有超期督办记录）且仍未办结的事件数。",
        "definition_en": (
            "Events overdue at the end of the period (with an overdue supervision record) and still "
            "unresolved."
        ),
    },
    {
        "code": "resident_reports",
        "zh": "群众反映数",
        "en": "Resident reports",
        "unit": "件",
        "kind": "count",
        "formula": "resident_reports",
        "definition": "期内经群众渠道（网上、Open311、热线）上报、未作废也非重复件的事件数。",
        "definition_en": (
            "Events reported in the period through a residents' channel (online, Open311, hotline), neither "
            "voided nor duplicates."
        ),
    },
    {
        "code": "missed_reports",
        "zh": "漏报数",
        "en": "Missed by patrols",
        "unit": "件",
        "kind": "count",
        "formula": "missed_reports",
        "definition": (
            "群众反映的事件中，此前一段时间（GRID_MISSED_REPORT_WINDOW_HOURS，默认 72 小时）内同一网格"
            "没有巡查上报同一小类的。"
        ),
        "definition_en": (
            "Resident reports with no patrol report of the same subcategory in the same grid in the hours "
            "before (GRID_MISSED_REPORT_WINDOW_HOURS, 72 by default)."
        ),
    },
    {
        "code": "missed_report_rate",
        "zh": "漏报率",
        "en": "Missed-report rate",
        "unit": "%",
        "kind": "rate",
        "formula": "missed_reports / resident_reports",
        "definition": "漏报率 = 漏报数 / 群众反映数：群众先于巡查发现的问题所占比例。",
        "definition_en": (
            "Missed-report rate = missed by patrols / resident reports: the share of problems residents "
            "found before the patrols did."
        ),
    },
    {
        "code": "patrol_coverage",
        "zh": "巡查覆盖率",
        "en": "Patrol coverage",
        "unit": "%",
        "kind": "rate",
        "formula": "patrol_done / patrol_due",
        "definition": (
            "巡查覆盖率 = 已打卡 / 应打卡：每个有效巡查事项按其频次（每日、每周、每月）在期内的每个时段"
            "应打卡一次，时段内有打卡即为已打卡（多次只计一次）。"
        ),
        "definition_en": (
            "Patrol coverage = check-ins done / check-ins due: each active patrol item is due once in every "
            "slot of its frequency (day, week, month) in the period; a slot with a check-in counts as done "
            "(several check-ins count once)."
        ),
        # Patrol check-ins have no category, source or handling unit.
        "dimensions": ("level", "code", "period"),
    },
    {
        "code": "source_share",
        "zh": "来源占比",
        "en": "Source shares",
        "unit": "%",
        "kind": "shares",
        "formula": "filed[channel] / filed",
        "definition": "各来源（巡查、网上、热线、Open311…）立案数 / 立案数。",
        "definition_en": "Cases filed from each source (patrol, online, hotline, Open311…) / cases filed.",
    },
    {
        "code": "kind_split",
        "zh": "事件部件占比",
        "en": "Event vs component",
        "unit": "%",
        "kind": "shares",
        "formula": "filed[kind] / filed",
        "definition": "立案中事件类与部件类各自的占比。",
        "definition_en": "The shares of event-type and component-type cases among the cases filed.",
    },
    {
        "code": "top_categories",
        "zh": "高发类别前三",
        "en": "Top-3 categories",
        "unit": "件",
        "kind": "top",
        "formula": "top3(filed[category])",
        "definition": "立案数最多的三个小类。",
        "definition_en": "The three subcategories with the most cases filed.",
    },
    {
        "code": "closure_level_share",
        "zh": "结案层级占比",
        "en": "Closure-level shares",
        "unit": "%",
        "kind": "shares",
        "formula": "closed[level] / closed",
        "definition": "结案层级：小事不出格（网格）、大事不出村、难事不出镇、区级。",
        "definition_en": (
            "Closure levels: minor matters settled within the grid, major matters within the village, "
            "difficult matters within the town, and the district level."
        ),
    },
    {
        "code": "score",
        "zh": "综合指标值",
        "en": "Composite score",
        "unit": "分",
        "kind": "score",
        "formula": "Σ weight × rate (COMMAND_SCORE_WEIGHTS)",
        "definition": (
            "0–100 分：默认 30·处置率 + 20·按期处置率 + 20·(1−返工率) + 20·(1−超期率) + 10·(1−延期率)；"
            "A ≥ 90，B ≥ 75，C ≥ 60，D ≥ 40，其余 E。"
        ),
        "definition_en": (
            "0–100 points: by default 30·disposal rate + 20·on-time disposal rate + 20·(1−rework rate) + "
            "20·(1−overdue rate) + 10·(1−extension rate); A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, otherwise E."
        ),
    },
]

SOURCE_NAMES = {
    "grid": "网格治理台账汇总",
    "approvals": "审批服务台账汇总",
    "enforcement": "综合执法台账汇总",
}

# The seed's weights of the composite score (settings.COMMAND_SCORE_WEIGHTS overrides them); "1-x" means
# the complement of rate x counts.
DEFAULT_WEIGHTS = {
    "disposal_rate": 30,
    "on_time_disposal_rate": 20,
    "1-rework_rate": 20,
    "1-overdue_rate": 20,
    "1-extension_rate": 10,
}
GRADES = ((90, "A"), (75, "B"), (60, "C"), (40, "D"))
