"""demo.evaluation_data.seed_evaluation: points computed for the periods with case activity; on the
fixed slice of the hand-computed example (evaluation.testing) the ranking of the squad is exactly the
one computed by hand; idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from demo.evaluation_data import demo_periods, seed_evaluation
from enforcement.tests.test_documents_support import squad_people
from evaluation.models import PointEntry
from evaluation.selectors import ranking_for
from evaluation.testing import build_hand_example, local

pytestmark = pytest.mark.django_db


def test_seed_evaluation_ranks_the_hand_example(personas: dict[str, Any]) -> None:
    people = squad_people(personas, local(1, 8))
    assert seed_evaluation(now=local(28, 12), system=personas["system"]) == {
        "periods_computed": 0,
        "point_entries": 0,
        "rotation_flags": 0,
    }
    build_hand_example(people)
    assert demo_periods(now=local(28, 12)) == ["2026-11"]
    counts = seed_evaluation(now=local(28, 12), system=personas["system"])
    assert counts == {"periods_computed": 1, "point_entries": 9, "rotation_flags": 0}
    ranking = ranking_for(personas["dispatcher"], period="2026-11", squad="320507003-squad1")
    assert [(r.name, r.points, r.rank) for r in ranking.squads[0].officers] == [
        ("张三", 8, 1),
        ("王队长", 0, 2),
        ("李四", -4, 3),
    ]
    again = seed_evaluation(now=local(28, 12), system=personas["system"])
    assert again == {"periods_computed": 0, "point_entries": 0, "rotation_flags": 0}
    assert PointEntry.objects.count() == 9
