"""The indicators over the grid tests' planted week in 黄桥 (grid/tests/test_figures.py describes every
event), each value computed by hand in the comments. Week P = [2026-03-02, 2026-03-09)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from command.indicators import REGISTRY, change, figures, grade, last_year_period, previous_period, score
from grid.tests.test_figures import HUANGQIAO, Scenario, at
from workflow.rollups import fold_all

pytestmark = pytest.mark.django_db

MON, NEXT_MON = date(2026, 3, 2), date(2026, 3, 9)

# due 5 (E1, E2, E3, E5, E6), deferred 1 (E5), due_closed 4, due_closed_on_time 3 (E1, E2, E6),
# closed 5, closed on time 4 (all but E3), extended 1 (E5), reworks 1 (E2), nothing open and overdue.
WEEK_VALUES = {
    "accepted": 6,  # E1–E6
    "filed": 5,  # E1–E5
    "due": 5,
    "deferred": 1,
    "closed": 5,
    "closure_rate": 1.0,  # 4 / (5 − 1)
    "on_time_closure_rate": 0.75,  # 3 / (5 − 1)
    "disposal_rate": 1.0,  # (5 − 0) / 5
    "on_time_disposal_rate": 0.8,  # 4 / 5
    "rework_rate": 0.2,  # 1 / 5
    "extension_rate": 0.2,  # 1 / 5
    "overdue_rate": 0.25,  # (4 − 3) / 4
    "overdue_open": 0,
    # filed: E1, E3, E5 patrol; E2 resident_web; E4 hotline
    "source_share": {"hotline": 0.2, "patrol": 0.6, "resident_web": 0.2},
    "kind_split": {"event": 1.0},  # 0102 暴露垃圾 is an event category
    "closure_level_share": {"grid": 0.2, "town": 0.6, "village": 0.2},  # E6 | E1 | E2, E3, E5
    # 30·1.0 + 20·0.8 + 20·(1 − 0.2) + 20·(1 − 0.25) + 10·(1 − 0.2) = 30 + 16 + 16 + 15 + 8
    "score": 85.0,
}


def test_week_indicators_equal_the_hand_computed_values(week: Callable[[], Scenario]) -> None:
    week()
    found = figures(HUANGQIAO, MON, NEXT_MON)
    assert {code: found[code]["value"] for code in WEEK_VALUES} == WEEK_VALUES
    assert found["top_categories"]["value"] == [{"category": "event:0102", "name": "暴露垃圾", "count": 5}]
    assert found["score"]["grade"] == "B"  # 75 ≤ 85 < 90


def test_folded_and_unfolded_answers_agree(week: Callable[[], Scenario]) -> None:
    week()
    before = figures(HUANGQIAO, MON, NEXT_MON)
    fold_all("grid_event", now=at(20, 0))
    assert figures(HUANGQIAO, MON, NEXT_MON) == before


def test_month_on_month_and_year_on_year(week: Callable[[], Scenario]) -> None:
    week()
    this_week = figures(HUANGQIAO, MON, NEXT_MON)
    # 环比 against the empty week before: counts have no ratio (0 before), rates no earlier value.
    assert this_week["filed"]["previous"] == 0 and this_week["filed"]["mom"] is None
    assert this_week["closure_rate"]["mom"] is None and this_week["filed"]["yoy"] is None
    following = figures(HUANGQIAO, NEXT_MON, date(2026, 3, 16))
    # The week after: nothing filed (−100 %), nothing closed; 同比 of 2027's same week is the planted one.
    assert following["filed"]["value"] == 0 and following["filed"]["mom"] == -1.0
    next_year = figures(HUANGQIAO, date(2027, 3, 2), date(2027, 3, 9))
    assert next_year["filed"]["last_year"] == 5 and next_year["filed"]["yoy"] == -1.0


def test_overdue_and_open_counts_in_disposal(week: Callable[[], Scenario]) -> None:
    s = week()
    s.act("E4", "unpark", at(5, 9), "dispatcher")
    s.sweep(at(5, 14, 5))  # E4 overdue Thu 14:05, still open at the end of the week
    found = figures(HUANGQIAO, MON, NEXT_MON)
    # due 6 (5 closures + E4), deferred 2 (E5, E4 parked before), due_open 1 (E4)
    assert found["overdue_open"]["value"] == 1
    assert found["disposal_rate"]["value"] == 0.8333  # (6 − 1) / 6
    assert found["overdue_rate"]["value"] == 0.25  # (4 − 3) / 4
    # E4 stays overdue and open at the end of the next week too, though it fell due in this one.
    assert figures(HUANGQIAO, NEXT_MON, date(2026, 3, 16))["overdue_open"]["value"] == 1


def test_every_stream_is_connected() -> None:
    for code in (
        "approvals_accepted",
        "enforcement_filed",
        "party_members",
        "territorial_assets",
        "registry_population",
    ):
        assert REGISTRY[code].connected, code
    assert REGISTRY["approvals_accepted"].source_name == "审批服务台账汇总"


@pytest.mark.parametrize(
    ("value", "letter"), [(90, "A"), (89.99, "B"), (75, "B"), (60, "C"), (59.9, "D"), (40, "D"), (39, "E")]
)
def test_grades(value: float, letter: str) -> None:
    assert grade(value) == letter


def test_score_weights_are_configurable(settings: Any) -> None:
    values = {"disposal_rate": 0.5, "rework_rate": 0.1, "overdue_rate": None}
    assert score(values, {"disposal_rate": 1, "1-rework_rate": 1}) == 70.0  # (0.5 + 0.9) / 2
    assert score(values, {"1-overdue_rate": 1}) is None  # no rate to judge
    settings.COMMAND_SCORE_WEIGHTS = {"disposal_rate": 1}
    assert score(values) == 50.0


def test_periods_and_changes() -> None:
    assert previous_period(MON, NEXT_MON) == (date(2026, 2, 23), MON)
    # Whole calendar months: the previous month(s), not the same number of days (March's is all February).
    assert previous_period(date(2026, 3, 1), date(2026, 4, 1)) == (date(2026, 2, 1), date(2026, 3, 1))
    assert previous_period(date(2026, 1, 1), date(2026, 2, 1)) == (date(2025, 12, 1), date(2026, 1, 1))
    assert previous_period(date(2026, 4, 1), date(2026, 7, 1)) == (date(2026, 1, 1), date(2026, 4, 1))
    assert previous_period(date(2026, 3, 1), date(2026, 3, 16)) == (date(2026, 2, 14), date(2026, 3, 1))
    assert last_year_period(date(2028, 2, 29), date(2028, 3, 1)) == (date(2027, 2, 28), date(2027, 3, 1))
    assert (
        change(6, 4, "count") == 0.5 and change(0.8, 0.75, "rate") == 0.05 and change(1, 0, "count") is None
    )
