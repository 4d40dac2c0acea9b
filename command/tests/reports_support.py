"""Shared pieces of the report tests: the leader of another town, the clock, and reading a workbook."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from openpyxl import load_workbook

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from command.reports.actions import do_generate_report
from command.reports.models import Report
from command.reports.periods import parse_period
from workflow.actors import system_actor

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Thursday 2 April 2026, 10:00 in Shanghai: March and the first quarter are over.
APRIL_2 = datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI)
MARCH = (date(2026, 3, 1), date(2026, 4, 1))


def outsider_leader() -> User:
    """A leader of 渭塘 (another town)."""
    unit = OrgUnit.objects.get(code="320507105201-vc")
    return make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")


def generate(
    code: str, kind: str = "monthly", key: str = "2026-03", now: datetime = APRIL_2
) -> tuple[Report, bool]:
    with time_machine.travel(now, tick=False):
        period = parse_period(kind, key, today=now.astimezone(SHANGHAI).date())
        return do_generate_report(code, period, actor=system_actor(), now=now)


def sheet_rows(xlsx: bytes, title: str) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(xlsx))
    return [tuple(row) for row in book[title].iter_rows(min_row=2, values_only=True)]


def figure_cells(xlsx: bytes) -> dict[str, tuple[Any, ...]]:
    """code → (本期, 上期, 环比, 去年同期, 同比) from the 指标 sheet."""
    return {row[0]: tuple(row[2:7]) for row in sheet_rows(xlsx, "指标")}
