"""Fixtures of the workflow tests: the sample process, started and dispatched at hand-checkable times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.models import OrgUnit, User
from workflow.engine import transition
from workflow.models import WorkItem
from workflow.start import do_start_item

LOCAL = ZoneInfo("Asia/Shanghai")
GRID = "320507003201001"  # 黄桥测试村第1网格
URBAN = "320507003-urban"  # 黄桥街道城市管理办公室 (hq_agency, hq_agency_colleague)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A local (Asia/Shanghai) instant, as the reviewer reads the calendar."""
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL)


@pytest.fixture
def urban(personas: dict[str, Any]) -> OrgUnit:
    return OrgUnit.objects.get(code=URBAN)


@pytest.fixture
def start_item(personas: dict[str, Any]) -> Callable[..., WorkItem]:
    def start(now: datetime, actor: User | None = None, **kwargs: Any) -> WorkItem:
        values: dict[str, Any] = {"title": "占道经营投诉", "territory_code": GRID}
        values.update(kwargs)
        return do_start_item("sample_complaint", actor=actor or personas["dispatcher"], now=now, **values)

    return start


@pytest.fixture
def handling_item(personas: dict[str, Any], start_item: Callable[..., WorkItem]) -> WorkItem:
    """Registered 2026-09-29 10:00, dispatched 2026-09-30 10:00 to the urban office, assignee hq_agency."""
    item = start_item(at(2026, 9, 29))
    return transition(
        item,
        "dispatch",
        actor=personas["dispatcher"],
        now=at(2026, 9, 30),
        inputs={"assigned_unit": URBAN, "assignee": "hq_agency"},
    )
