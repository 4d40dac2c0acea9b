"""do_compute_points on the hand-computed example (evaluation.testing): exact entries, totals and
ranking; idempotent recomputation; jurisdiction; rotation flags with their history."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import DomainError, PermissionRefused
from enforcement.models import Publication
from enforcement.tests.test_documents_support import make_case
from evaluation.actions import do_compute_points, do_record_assessment
from evaluation.models import PeriodComputation, PointEntry, RotationFlag, RotationPolicy
from evaluation.selectors import ranking_for
from evaluation.testing import build_hand_example, local

NOW = local(28, 12)


def totals() -> dict[str, int]:
    result: dict[str, int] = {}
    for entry in PointEntry.objects.filter(period="2026-11").select_related("officer"):
        result[entry.officer.username] = result.get(entry.officer.username, 0) + entry.points
    return result


def test_hand_computed_example(people: dict[str, Any], personas: dict[str, Any]) -> None:
    build_hand_example(people)
    report = do_compute_points("2026-11", actor=people["leader"], now=NOW)
    assert report.entries == 9
    rules = sorted(PointEntry.objects.filter(officer=people["colleague"]).values_list("rule__code", "points"))
    assert rules == [("legal_review_finding", -3), ("step_late", -2), ("step_on_time", 1)]
    assert totals() == {"hq_officer": 8, "hq_officer2": -4}
    ranking = ranking_for(personas["dispatcher"], period="2026-11", squad="320507003-squad1")
    rows = [(r.name, r.points, r.rank, r.on_time, r.late) for r in ranking.squads[0].officers]
    assert rows == [("张三", 8, 1, 5, 0), ("王队长", 0, 2, 0, 0), ("李四", -4, 3, 1, 1)]


def test_recomputing_replaces_the_period(people: dict[str, Any]) -> None:
    cases = build_hand_example(people)
    do_compute_points("2026-11", actor=people["leader"], now=NOW)
    first = set(PointEntry.objects.values_list("officer_id", "rule__code", "source", "points"))
    do_compute_points("2026-11", actor=people["leader"], now=NOW)
    assert set(PointEntry.objects.values_list("officer_id", "rule__code", "source", "points")) == first
    assert PeriodComputation.objects.get(period="2026-11").entries == 9
    # A new finding appears after the next computation, not before.
    do_record_assessment(
        cases["b"], "complaint_upheld", "当事人投诉态度粗暴，经查属实", actor=people["leader"], now=NOW
    )
    assert totals()["hq_officer2"] == -4
    do_compute_points("2026-11", actor=people["leader"], now=NOW)
    assert totals()["hq_officer2"] == -9


def test_late_publication_costs_the_lead_officer(people: dict[str, Any]) -> None:
    case = make_case(
        people,
        now=local(2),
        number="黄综执立〔2026〕9号",
        decision_number="相黄综执罚决字〔2026〕第0009号",
        decided_at=local(2),
    )
    Publication.objects.create(case=case, due_at=local(11, 17), published_at=local(13))
    do_compute_points("2026-11", actor=people["leader"], now=NOW)
    entry = PointEntry.objects.get(rule__code="publication_late")
    assert (entry.officer, entry.points, entry.period) == (people["officer"], -2, "2026-11")


def test_scope_refusals_and_bad_period(people: dict[str, Any], personas: dict[str, Any]) -> None:
    build_hand_example(people)
    with pytest.raises(PermissionRefused):
        do_compute_points("2026-11", actor=personas["hq_grid"], now=NOW)
    with pytest.raises(DomainError) as bad:
        do_compute_points("2026-13", actor=people["leader"], now=NOW)
    assert bad.value.field == "period"
    with pytest.raises(DomainError):
        do_compute_points("2027-01", actor=people["leader"], now=NOW)
    # A 渭塘 squad leader computes: nothing of 黄桥 is touched.
    from accounts.models import Role
    from accounts.testing import make_person

    wt_leader = make_person("wt_leader", unit=people["wt_squad"], role=Role.SQUAD_LEADER)
    do_compute_points("2026-11", actor=people["leader"], now=NOW)
    do_compute_points("2026-11", actor=wt_leader, now=NOW)
    assert totals() == {"hq_officer": 8, "hq_officer2": -4}


def test_rotation_flags_need_consecutive_low_periods(people: dict[str, Any]) -> None:
    build_hand_example(people)
    RotationPolicy.objects.update(threshold=1, consecutive_periods=2)
    do_compute_points("2026-11", actor=people["leader"], now=NOW)
    assert not RotationFlag.objects.exists()  # October was never computed: no evidence, no flag
    do_compute_points("2026-10", actor=people["leader"], now=NOW)
    do_compute_points("2026-11", actor=people["leader"], now=NOW)
    flagged = {
        f.officer.username: f for f in RotationFlag.objects.filter(period="2026-11").select_related("officer")
    }
    assert set(flagged) == {"hq_officer2", "hq_squad_leader"}
    history = flagged["hq_officer2"].history
    assert [(h["period"], h["points"]) for h in history] == [("2026-10", 0), ("2026-11", -4)]
    assert {e["rule"] for e in history[1]["entries"]} == {"step_on_time", "step_late", "legal_review_finding"}


def test_the_hearing_chair_scores_nothing(people: dict[str, Any]) -> None:
    from enforcement.models import CaseOfficer

    cases = build_hand_example(people)
    CaseOfficer.objects.create(case=cases["b"], officer=people["reviewer"], role="hearing_chair")
    do_compute_points("2026-11", actor=people["leader"], now=NOW)
    assert not PointEntry.objects.filter(officer=people["reviewer"]).exists()
    assert totals() == {"hq_officer": 8, "hq_officer2": -4}
