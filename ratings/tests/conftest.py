from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ratings.tests.factories import make_item, make_rating_people

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2026-03-02 10:00 local: a plain working week (no holiday in the next three weeks).
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def frozen(now: datetime) -> Any:
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return {**personas, **make_rating_people()}


@pytest.fixture
def item(db: None, now: datetime) -> Any:
    return make_item(now=now)
