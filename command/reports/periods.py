"""Report periods in whole local (Asia/Shanghai) days: ISO weeks (Monday first), calendar months and
quarters. A period is named by a key — 2026-W10, 2026-03, 2026-Q1 — and is [first_day, end_day)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from command.reports.models import ReportKind
from core.errors import DomainError


@dataclass(frozen=True)
class Period:
    kind: str
    key: str
    first_day: date
    end_day: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def kind_name(self) -> str:
        return str(ReportKind(self.kind).label)

    @property
    def label(self) -> str:
        if self.kind == ReportKind.WEEKLY:
            return f"{self.first_day.year}年第{self.first_day.isocalendar().week}周"
        if self.kind == ReportKind.MONTHLY:
            return f"{self.first_day.year}年{self.first_day.month}月"
        return f"{self.first_day.year}年第{(self.first_day.month - 1) // 3 + 1}季度"


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_containing(kind: str, day: date) -> Period:
    if kind == ReportKind.WEEKLY:
        first = day - timedelta(days=day.weekday())
        iso = first.isocalendar()
        return Period(kind, f"{iso.year}-W{iso.week:02d}", first, first + timedelta(days=7))
    if kind == ReportKind.MONTHLY:
        first = day.replace(day=1)
        return Period(kind, f"{first:%Y-%m}", first, _month_start(first.year, first.month + 1))
    if kind == ReportKind.QUARTERLY:
        quarter = (day.month - 1) // 3
        first = date(day.year, 3 * quarter + 1, 1)
        return Period(kind, f"{day.year}-Q{quarter + 1}", first, _month_start(day.year, 3 * quarter + 4))
    raise DomainError("invalid_kind", f"报告类型应为 {' / '.join(ReportKind.values)} 之一。", field="kind")


def last_completed(kind: str, today: date) -> Period:
    """The newest period of `kind` that has ended by the start of `today` (local)."""
    return period_containing(kind, period_containing(kind, today).first_day - timedelta(days=1))


_KEYS = {
    ReportKind.WEEKLY: re.compile(r"(\d{4})-W(\d{2})"),
    ReportKind.MONTHLY: re.compile(r"(\d{4})-(\d{2})"),
    ReportKind.QUARTERLY: re.compile(r"(\d{4})-Q([1-4])"),
}


def parse_period(kind: str, key: str, *, today: date) -> Period:
    """The period named by `key`; refused when malformed or not yet over on `today`."""
    if kind not in _KEYS:
        raise DomainError(
            "invalid_kind", f"报告类型应为 {' / '.join(ReportKind.values)} 之一。", field="kind"
        )
    match = _KEYS[ReportKind(kind)].fullmatch((key or "").strip())
    example = {"weekly": "2026-W10", "monthly": "2026-03", "quarterly": "2026-Q1"}[kind]
    bad = DomainError("invalid_period", f"期别格式应如 {example}。", field="period")
    if match is None:
        raise bad
    year, number = int(match[1]), int(match[2])
    try:
        if kind == ReportKind.WEEKLY:
            day = date.fromisocalendar(year, number, 1)
        elif kind == ReportKind.MONTHLY:
            day = date(year, number, 1)
        else:
            day = date(year, 3 * number - 2, 1)
    except ValueError:
        raise bad from None
    period = period_containing(kind, day)
    if period.end_day > today:
        raise DomainError(
            "period_not_over", f"{period.label}尚未结束，不能生成报告。", field="period", status=422
        )
    return period
