"""好差评 figures of the desk's 审批服务 module against the ratings tests' hand-computed March at 黄桥 (nine
counted ratings, one appeal upheld, three bad of which two were rectified by the end of the month) and 渭塘
(one bad rating, open): satisfaction and rectification rate, drill-down lengths and scoping."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from command import streams
from ratings.tests import conftest as rating_fixtures
from ratings.tests import test_figures as rating_tests

pytestmark = pytest.mark.django_db
# The ratings tests' fixtures, reused.
now, people, week = rating_fixtures.now, rating_fixtures.people, rating_tests.week
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def test_satisfaction_and_rectification_by_hand(week: dict[str, Any]) -> None:
    found = streams.values("320507003", MARCH, APRIL, today=date(2026, 3, 2))
    assert found["approvals_satisfaction"] == round(5 / 9, 4)
    assert found["approvals_rectification_rate"] == round(2 / 3, 4)
    assert len(streams.items("approvals_rated", "320507003", MARCH, APRIL)) == 9
    assert len(streams.items("approvals_bad", "320507003", MARCH, APRIL)) == 3
    # The rate drills down to its denominator.
    assert streams.drill_code("approvals_rectification_rate") == "approvals_bad"
    # 渭塘: one bad rating, not rectified; none of 黄桥's.
    other = streams.values("320507105", MARCH, APRIL, today=date(2026, 3, 2))
    assert other["approvals_satisfaction"] == 0.0 and other["approvals_rectification_rate"] == 0.0
    assert len(streams.items("approvals_rated", "320507105", MARCH, APRIL)) == 1
    # February: nothing rated in the period → no rate, not 0.
    february = streams.values("320507003", date(2026, 2, 1), MARCH, today=date(2026, 3, 2))
    assert february["approvals_rectification_rate"] is None
