"""Registry personas (on top of the suite's): a data steward and the grid head of 黄桥测试村, a window
clerk of 黄桥街道, and a data steward of 渭塘镇 (the outsider); `hq_grid` (grid worker) proposes only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from registry import actions
from registry.models import Person
from registry.testing import synthetic_id_number

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HQ_GRID = "320507003201001"
WT_GRID = "320507105201001"


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(personas: dict[str, User]) -> dict[str, User]:
    hq_gov = OrgUnit.objects.get(code="320507003-gov")
    hq_village = OrgUnit.objects.get(code="320507003201-vc")
    wt_gov = make_org_unit("320507105-gov", "渭塘镇党委政府", OrgUnit.Kind.GOVERNMENT, "320507105")
    return {
        **personas,
        "hq_steward": make_person("hq_steward", unit=hq_gov, role=Role.DATA_STEWARD),
        "hq_head": make_person("hq_head", unit=hq_village, role=Role.GRID_HEAD),
        "hq_clerk": make_person("hq_clerk", unit=hq_gov, role=Role.WINDOW_CLERK),
        "wt_steward": make_person("wt_steward", unit=wt_gov, role=Role.DATA_STEWARD),
    }


def register(
    actor: User, seq: int = 1, *, grid: str = HQ_GRID, phone: str = "13912345678", **extra: Any
) -> Person:
    data = actions.PersonInput(
        territory_code=grid,
        kind=extra.pop("kind", Person.Kind.REGISTERED),
        name=extra.pop("name", "张三丰"),
        id_number=synthetic_id_number("320507", date(1975, 4, 1), seq),
        phone=phone,
        **extra,
    )
    return actions.do_register_person(data, actor=actor, now=NOW)
