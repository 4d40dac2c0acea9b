"""The wall screen's refresh stays cheap: its figures unfold the ledger's tail once and read the rollup a
few times per figure family (KPI tiles, trend, ranking), whatever the number of days or units; the
grouped reads give the same numbers as the per-unit, per-day ones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from accounts.models import User
from command import indicators as ind
from command.screen import KPI_CODES
from command.tests.test_screen import AFTER_WEEK, FIGURES, staff
from command.tests.test_screen import placed as placed  # fixture
from grid.figures.rollup import PROCESS
from grid.tests.test_figures import HUANGQIAO, Scenario
from workflow.rollups import fold_all

pytestmark = pytest.mark.django_db
# Measured on the planted week: 343 (town) and 359 (district) queries per refresh before the shared tail
# and the grouped trend and ranking reads, 30 and 29 after.
MAX_QUERIES = 40


@pytest.mark.parametrize(
    ("who", "params"), [("hq_leader", {}), ("dispatcher", {"level": "district", "code": "320507"})]
)
def test_a_screen_refresh_costs_a_bounded_number_of_queries(
    placed: Scenario,
    personas: dict[str, User],
    who: str,
    params: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    with time_machine.travel(AFTER_WEEK, tick=False):
        client = staff(personas[who])
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(FIGURES, params)
        assert response.status_code == 200
        data = response.json()
        assert [k["code"] for k in data["kpis"]] == list(KPI_CODES) and len(data["trend"]["days"]) == 14
        assert data["ranking"]


@pytest.mark.parametrize("folded", [False, True])
def test_the_grouped_reads_equal_the_per_unit_and_per_day_ones(placed: Scenario, folded: bool) -> None:
    if folded:
        fold_all(PROCESS, now=AFTER_WEEK)
    first, end = date(2026, 2, 9), date(2026, 3, 10)
    tail = ind.grid_tail()
    trend = ind.daily(HUANGQIAO, first, end, tail=tail)
    assert sum(trend["filed"]) == 5  # E1–E5 of the planted week
    for i, day in enumerate(trend["days"]):
        one = ind.values_of(ind.counts(HUANGQIAO, day, day + timedelta(days=1)))
        assert (trend["filed"][i], trend["closed"][i]) == (one["filed"], one["closed"])
    units = ["320507003201", "320507003202", "320507105201"]
    grouped = ind.counts_by_unit(units, first, end, tail=tail)
    for code in units:
        assert grouped[code] == ind.counts(code, first, end), code
    assert grouped["320507003201"]["filed"] == 5


def test_division_rollup_reads_equal_the_grid_rollup_sums(
    placed: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk's and the screen's figures of a district, a town and a village read the division rollup
    (with part of the week folded and the rest in the tail); they equal the same figures summed from the
    grid rollup alone, over the period, the one before and the year before, and in the ranking."""
    fold_all(PROCESS, now=AFTER_WEEK - timedelta(days=3))
    first, end = date(2026, 2, 9), date(2026, 3, 10)
    units = ["320507003", "320507105"]
    tail = ind.grid_tail()
    read = {
        "figures": {code: ind.figures(code, first, end) for code in ["320507", *units, "320507003201"]},
        "daily": ind.daily(HUANGQIAO, first, end, tail=tail),
        "ranking": ind.counts_by_unit(units, first, end, tail=tail),
    }
    assert read["figures"][HUANGQIAO]["filed"]["value"] == 5
    monkeypatch.setattr(ind, "DIVISION_LEVELS", ())  # every read from the grid rollup
    monkeypatch.setattr("workflow.rollups.DIVISION_LEVELS", ())
    assert read == {
        "figures": {code: ind.figures(code, first, end) for code in ["320507", *units, "320507003201"]},
        "daily": ind.daily(HUANGQIAO, first, end, tail=tail),
        "ranking": ind.counts_by_unit(units, first, end, tail=tail),
    }
