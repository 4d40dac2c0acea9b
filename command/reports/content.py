"""What a report says, computed with the desk's own functions (command/indicators.py `figures()`,
`values_of(counts())` for the ranking as the figures API ranks units, command/drilldown.py for the
overdue list), so a report's numbers are the desk's numbers for the same days."""

from __future__ import annotations

from datetime import date
from typing import Any

from command import indicators as ind
from command.drilldown import describe, items_behind
from command.reports.periods import Period
from command.selectors import children
from command.warnings.selectors import period_summary
from grid.figures.ledger import Scope
from grid.models import CategoryKind, EventChannel
from territorial.report import funds_section

SCALAR_KINDS = ("count", "rate", "score")
KIND_NAMES = {str(k): str(v) for k, v in CategoryKind.choices}
CHANNEL_NAMES = {str(k): str(v) for k, v in EventChannel.choices}


LEVEL_BY_LENGTH = {6: "district", 9: "town", 12: "village"}


def scope_of(code: str, name: str) -> Scope:
    return Scope(LEVEL_BY_LENGTH[len(code)], code, name, code)


def _ranking(scope: Scope, period: Period) -> list[dict[str, Any]]:
    rows = []
    for code, name in children(scope):
        values = ind.values_of(ind.counts(code, period.first_day, period.end_day))
        rows.append(
            {"code": code, "name": name, "score": values["score"], "grade": ind.grade(values["score"])}
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["code"]))
    for place, row in enumerate(rows, start=1):
        row["place"] = place
    return rows


def _shares(values: dict[str, float | None], names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"code": code, "name": str(names.get(code, code or "未分类")), "share": share}
        for code, share in values.items()
    ]


def build(scope: Scope, period: Period, *, today: date) -> dict[str, Any]:
    """The report's content for a village, a town or the district over the period; `today` (the day it
    is made) decides which month's 财务公开 deadline has passed."""
    assert scope.prefix is not None
    figures = ind.figures(scope.prefix, period.first_day, period.end_day)
    rows = []
    for code, meta in ind.REGISTRY.items():
        if meta.kind not in SCALAR_KINDS:
            continue
        figure = figures[code]
        rows.append({"code": code, "name": meta.zh, "kind": meta.kind, "unit": meta.unit, **figure})
    extra = {code: figures[code].get("value") or {} for code in ("source_share", "kind_split")}
    overdue = describe(items_behind("overdue_open", scope.prefix, period.first_day, period.end_day))
    return {
        "scope": scope,
        "period": period,
        "figures": figures,
        "rows": rows,
        "source_shares": _shares(extra["source_share"], CHANNEL_NAMES),
        "kind_split": _shares(extra["kind_split"], KIND_NAMES),
        "top_categories": figures["top_categories"].get("value") or [],
        "ranking": _ranking(scope, period),
        "overdue": overdue,
        "warnings": period_summary(scope.prefix, period.first_day, period.end_day),
        "funds": funds_section(scope.prefix, period.first_day, period.end_day, today=today),
    }


def summary(content: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers kept on the report row (JSON; money as strings to the fen)."""
    figures, funds = content["figures"], content["funds"]
    return {
        code: figures[code]["value"]
        for code in ("accepted", "filed", "closed", "closure_rate", "overdue_open", "score")
        if figures[code].get("connected")
    } | {
        "grade": figures["score"].get("grade"),
        "overdue_items": len(content["overdue"]),
        "funds_income": f"{funds.total.income:.2f}",
        "funds_expenditure": f"{funds.total.expenditure:.2f}",
        "funds_reconcile": funds.total.reconciles,
    }
