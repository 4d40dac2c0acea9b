"""demo.evaluation_data.seed_evaluation: points computed for the periods with case activity; on the
fixed slice of the hand-computed example (evaluation.testing) the ranking of the squad is exactly the
one computed by hand; idempotent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from accounts.models import User
from demo.evaluation_data import demo_periods, seed_evaluation
from enforcement.tests.test_documents_support import squad_people
from evaluation.models import PointEntry
from evaluation.selectors import ranking_for
from evaluation.testing import build_hand_example, local

# Seeding the whole demo district takes minutes on a loaded machine: a longer hang guard than the suite's.
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1200)]


def test_seed_evaluation_ranks_the_hand_example(personas: dict[str, Any]) -> None:
    people = squad_people(personas, local(1, 8))
    assert seed_evaluation(now=local(28, 12), system=personas["system"]) == {
        "decisions_published": 0,
        "periods_computed": 0,
        "point_entries": 0,
        "rotation_flags": 0,
    }
    build_hand_example(people)
    assert demo_periods(now=local(28, 12)) == ["2026-11"]
    counts = seed_evaluation(now=local(28, 12), system=personas["system"])
    assert counts == {
        "decisions_published": 0,
        "periods_computed": 1,
        "point_entries": 9,
        "rotation_flags": 0,
    }
    ranking = ranking_for(personas["dispatcher"], period="2026-11", squad="320507003-squad1")
    assert [(r.name, r.points, r.rank) for r in ranking.squads[0].officers] == [
        ("张三", 8, 1),
        ("王队长", 0, 2),
        ("李四", -4, 3),
    ]
    again = seed_evaluation(now=local(28, 12), system=personas["system"])
    assert again == {"decisions_published": 0, "periods_computed": 0, "point_entries": 0, "rotation_flags": 0}
    assert PointEntry.objects.count() == 9


def test_demo_ranking_of_one_squad_matches_the_hand_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole demo (seed_demo runs seed_enforcement, then seed_evaluation) at Fri 20 Nov 2026 10:00.
    Squad 32050700303-squad (黄桥's third) has the demo cases with seed % 4 == 2, each led and walked by
    officer_32050700303-squad_3 (demo/enforcement_data.py), started NOW − (110 − 5.5·seed) days:
      seed 6 (ordinary, to the notice), started Fri 4 Sep: propose_filing 7 Sep, submit_report 15 Sep,
        send_legal_review 16 Sep, issue_notice 20 Sep — all inside 线索核查's 15 working days and the
        80-day filing clock: +4 in 2026-09;
      seed 10 (summary, archived), started Sat 26 Sep: decide_on_spot 26 Sep 11:00 (limit: end of the
        next working day) +1 in 2026-09; confirm_execution 2 Oct (15 days) +1, archive 6 Oct (10 working
        days after the close on 4 Oct) +1 in 2026-10; its decision 相黄桥综执简罚字〔2026〕第0004号 is
        published two working days later (serial 4 is not a multiple of 5), before its deadline: 0;
      seed 14 (ordinary, investigating), started Sun 18 Oct: propose_filing 21 Oct +1 in 2026-10;
      seed 18: propose_filing 12 Nov, submit_report 20 Nov: +2 in 2026-11.
    The squad leader's approvals and closures and the legal reviewer's opinions score nobody; the other
    officers of the squad only assist: 0, sharing rank 2."""
    import demo.seed
    from accounts.models import OrgUnit, Role
    from accounts.testing import make_person
    from demo.seed import seed_demo

    # The grid history and the approval streams do not feed the enforcement cases (tested on their own).
    for name in ("seed_history", "seed_approvals", "seed_licences", "seed_ratings"):
        monkeypatch.setattr(demo.seed, name, lambda **_kwargs: {})
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    seed_demo(now=now)
    reader = make_person(
        "ranking_reader", unit=OrgUnit.objects.get(code="320507-command"), role=Role.DISPATCHER
    )
    lead = "officer_32050700303-squad_3"
    for period, points in (("2026-09", 5), ("2026-10", 3), ("2026-11", 2)):
        ranking = ranking_for(reader, period=period, squad="32050700303-squad")
        rows = ranking.squads[0].officers
        top, rest = rows[0], rows[1:]
        assert (User.objects.get(pk=top.officer_id).username, top.points, top.rank) == (lead, points, 1), (
            period
        )
        assert rest and all((row.points, row.rank) == (0, 2) for row in rest), period
    assert seed_evaluation(now=now, system=User.objects.get(username="system")) == {
        "decisions_published": 0,
        "periods_computed": 0,
        "point_entries": 0,
        "rotation_flags": 0,
    }
