"""The periodic jobs: the publication check and the nightly points computation read the clock and call
the functions (huey runs them; here they are called as the consumer would)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import time_machine

from enforcement.models import Publication
from enforcement.tests.test_documents_support import make_case
from evaluation.models import PeriodComputation, PointEntry
from evaluation.tasks import (
    run_points,
    run_publication_check,
)
from evaluation.testing import build_hand_example, local


def test_publication_check_task_opens_and_flags(people: dict[str, Any]) -> None:
    make_case(
        people,
        now=local(2),
        number="黄综执立〔2026〕5号",
        decision_number="相黄综执罚决字〔2026〕第0005号",
        decided_at=local(2),
        fine_amount=Decimal("100"),
    )
    with time_machine.travel(local(20), tick=False):
        report = run_publication_check()
    assert report["opened"] == 1 and report["publication_late"] == 1
    assert Publication.objects.get().due_at < local(20)


def test_points_task_computes_this_and_last_month(people: dict[str, Any]) -> None:
    build_hand_example(people)
    with time_machine.travel(local(3, 12, month=12), tick=False):
        result = run_points()
    assert result["previous_entries"] == 9 and result["entries"] == 0
    assert set(PeriodComputation.objects.values_list("period", flat=True)) == {"2026-11", "2026-12"}
    assert PointEntry.objects.count() == 9
