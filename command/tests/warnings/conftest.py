"""Fixtures of the early-warning tests: a frozen Monday, the personas plus a supervisor and the outsider
leader of 渭塘, and `plant` — a warning raised through the action from a planted finding (the rules
themselves are tested in test_rules.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from command.warnings.actions import do_raise_warning
from command.warnings.models import EarlyWarning, Level, Rule
from command.warnings.rules import Finding

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2026-03-02 10:00 local: a plain working week (working hours 08:30–12:00, 13:30–17:30).
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
HUANGQIAO = "320507003"
HQ_GRID = "320507003201001"
WEITANG = "320507105"


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def frozen(now: datetime) -> Iterator[Any]:
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(personas: dict[str, User]) -> dict[str, User]:
    centre = OrgUnit.objects.get(code="320507-command")
    wt_vc = OrgUnit.objects.get(code="320507105201-vc")
    return {
        **personas,
        "supervisor": make_person("supervisor", unit=centre, role=Role.SUPERVISOR),
        "wt_leader": make_person("wt_leader", unit=wt_vc, role=Role.LEADER, territory_code=WEITANG),
    }


@pytest.fixture
def plant(people: dict[str, User], now: datetime) -> Callable[..., EarlyWarning]:
    """Raise a warning of `level` about `territory` (黄桥 by default) at `at` (default NOW)."""

    def make(
        key: str = "a", *, territory: str = HUANGQIAO, level: str = Level.ORANGE, at: datetime | None = None
    ) -> EarlyWarning:
        owner = OrgUnit.objects.get(
            code="320507003-gov" if territory.startswith(HUANGQIAO) else "320507105201-vc"
        )
        finding = Finding(
            rule=Rule.UNROUTED_BACKLOG,
            level=level,
            fingerprint=f"test:{territory}:{key}",
            territory_code=territory,
            owner_unit=owner,
            title=f"测试预警 {key}",
            summary="5 件已立案超过 2 小时仍未派遣。",
            evidence={"waiting": 5, "threshold": 5},
        )
        when = at or now
        with time_machine.travel(when, tick=False):
            warning, created = do_raise_warning(finding, actor=people["system"], now=when)
        assert created
        return warning

    return make
