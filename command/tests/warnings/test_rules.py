"""The early-warning rules on planted series, with the clock frozen: EARS C1/C2/C3 computed by hand (a
spike fires; a flat and a merely noisy series do not), the spike rule over the rollup and its unfolded
tail, deadline risk, repeated reports at one place, and the unrouted backlog."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from accounts.models import User
from command.warnings.actions import evaluate_warnings
from command.warnings.models import EarlyWarning, Level, Rule
from command.warnings.rules import ears
from grid.events.report import do_report_event
from grid.events.steps import do_event_action
from grid.models import GridEvent
from outbox.models import OutboxMessage
from workflow.models import LedgerRollup
from workflow.start import do_start_item

from .conftest import HQ_GRID, HUANGQIAO
from .conftest import SHANGHAI as HQ_TZ

pytestmark = pytest.mark.django_db

DEFAULTS = {"threshold": 3.0, "c3_threshold": 2.0, "min_sigma": 0.5}
VILLAGE = HQ_GRID[:12]


# ---------------------------------------------------------------------------------------------- EARS


def test_a_spike_fires_all_three_statistics() -> None:
    # C1 baseline (t-7..t-1) = C2 baseline (t-9..t-3) = 2,3,2,3,2,3,2: μ = 17/7, s² = (4·(3/7)² + 3·(4/7)²)/6
    # = 2/7, s = 0.534522. C1 = C2 = (12 − 17/7)/s = 17.906503.
    # C2(t−1) = (2 − 18/7)/s < 0 → 0; C2(t−2) = (3 − 17/7)/s = 1.069045 → 0.069045; C3 = 16.906503 + 0.069045.
    result = ears([2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 12], **DEFAULTS)
    assert result.mean_c1 == pytest.approx(17 / 7)
    assert result.sigma_c1 == pytest.approx(math.sqrt(2 / 7))
    assert result.c1 == pytest.approx(17.906503, abs=1e-6)
    assert result.c2 == pytest.approx(17.906503, abs=1e-6)
    assert result.c3 == pytest.approx(16.975548, abs=1e-6)
    assert result.fired == ("C1", "C2", "C3")


def test_a_flat_series_does_not_fire() -> None:
    # s = 0 is floored at 0.5 (min_sigma): C1 = C2 = (3 − 3)/0.5 = 0, C3 = 0.
    result = ears([3] * 12, **DEFAULTS)
    assert (result.c1, result.c2, result.c3, result.sigma_c1) == (0.0, 0.0, 0.0, 0.5)
    assert result.fired == ()


def test_a_merely_noisy_series_does_not_fire() -> None:
    # Today's 6 is above every baseline day, but within the noise.
    # C1: baseline 3,2,5,1,4,3,2: μ = 20/7, s² = 10.857143/6 → s = 1.345185; C1 = (6 − 20/7)/s = 2.336375.
    # C2: baseline 1,4,3,2,5,1,4: μ = 20/7, s² = 14.857143/6 → s = 1.573592; C2 = 1.997251.
    # C3 = (1.997251 − 1) + 0 (C2(t−1) = (2 − 3)/s < 0) + 0 (C2(t−2) = (3 − 22/7)/s < 0) = 0.997251.
    result = ears([2, 5, 1, 4, 3, 2, 5, 1, 4, 3, 2, 6], **DEFAULTS)
    assert result.c1 == pytest.approx(2.336375, abs=1e-6)
    assert result.c2 == pytest.approx(1.997251, abs=1e-6)
    assert result.c3 == pytest.approx(0.997251, abs=1e-6)
    assert result.fired == ()


def test_thresholds_are_configurable() -> None:
    # The noisy day fires C1 alone when the threshold is lowered to 2 (C1 2.34 > 2; C2 1.997 is not).
    result = ears([2, 5, 1, 4, 3, 2, 5, 1, 4, 3, 2, 6], threshold=2.0, c3_threshold=2.0, min_sigma=0.5)
    assert result.fired == ("C1",)
    with pytest.raises(ValueError):
        ears([1, 2, 3], **DEFAULTS)


# ---------------------------------------------------------------------------------------------- spikes


def _plant_baseline(now: datetime, counts: list[int]) -> None:
    """Reports of 0102 in the village on the 11 days before today, as the rollup holds them."""
    today = now.date()
    for back, n in zip(range(len(counts), 0, -1), counts, strict=True):
        if n:
            LedgerRollup.objects.create(
                process_name="grid_event",
                measure="reported",
                day=today - timedelta(days=back),
                territory_code=HQ_GRID,
                subject_class="event:0102",
                channel="patrol",
                count=n,
            )


def _report(
    people: dict[str, User], when: datetime, lon: float = 120.5520, lat: float = 31.4020, **kw: Any
) -> GridEvent:
    with time_machine.travel(when, tick=False):
        return do_report_event(
            actor=people[kw.get("actor", "hq_grid")],
            now=when,
            channel="patrol",
            category_code=kw.get("category", "0102"),
            description="路边有暴露垃圾",
            grid_code=kw.get("grid", HQ_GRID),
            lon=lon,
            lat=lat,
        )


def _today_reports(people: dict[str, User], now: datetime, n: int) -> list[GridEvent]:
    # Spread 2 km apart, so the repeated-place rule stays out of it.
    return [_report(people, now - timedelta(minutes=30 - i), lon=120.551 + 0.002 * i) for i in range(n)]


@pytest.mark.parametrize(
    ("baseline", "today", "expected"),
    [
        ([0] * 11, 3, Level.RED),  # s floored at 0.5: C1 = C2 = 3/0.5 = 6, C3 = 5 → all three → 红
        ([3] * 11, 3, None),  # flat
        ([2, 5, 1, 4, 3, 2, 5, 1, 4, 3, 2], 6, None),  # merely noisy (hand-computed above)
        ([0] * 11, 2, None),  # below COMMAND_WARN_EARS_MIN_COUNT (3)
    ],
)
def test_the_spike_rule_reads_the_rollup_and_its_tail(
    people: dict[str, User],
    reference: Any,
    now: datetime,
    baseline: list[int],
    today: int,
    expected: str | None,
) -> None:
    _plant_baseline(now, baseline)
    events = _today_reports(people, now, today)  # not folded yet: the rule adds the tail
    report = evaluate_warnings(now=now, rules=[Rule.SPIKE])
    found = list(EarlyWarning.objects.filter(rule=Rule.SPIKE))
    if expected is None:
        assert found == [] and report["spike"]["found"] == 0
        return
    (warning,) = found
    assert warning.level == expected and warning.territory_code == VILLAGE
    assert warning.fingerprint == f"spike:{VILLAGE}:event:0102:2026-03-02"
    assert warning.evidence["series"] == [*baseline, today]
    assert (warning.evidence["c1"], warning.evidence["c2"], warning.evidence["c3"]) == (6.0, 6.0, 5.0)
    assert sorted(warning.item_ids) == sorted(e.work_item_id or 0 for e in events)
    assert warning.owner_unit is not None and warning.owner_unit.code == "320507003-gov"


def test_the_spike_area_is_a_setting(
    people: dict[str, User], reference: Any, now: datetime, settings: Any
) -> None:
    settings.COMMAND_WARN_SPIKE_AREA = "town"
    _today_reports(people, now, 3)
    evaluate_warnings(now=now, rules=[Rule.SPIKE])
    assert list(EarlyWarning.objects.values_list("territory_code", flat=True)) == [HUANGQIAO]


def test_a_spike_holds_the_next_day_and_is_withdrawn_after(
    people: dict[str, User], reference: Any, now: datetime
) -> None:
    _plant_baseline(now, [0] * 11)
    _today_reports(people, now, 3)
    evaluate_warnings(now=now, rules=[Rule.SPIKE])
    (warning,) = EarlyWarning.objects.all()
    assert warning.situation == f"spike:{VILLAGE}:event:0102"
    # The next morning nothing is reported yet: yesterday's spike still holds, no new one is raised.
    next_day = now + timedelta(days=1)
    assert evaluate_warnings(now=next_day, rules=[Rule.SPIKE])["spike"] == {
        "found": 1,
        "raised": 0,
        "withdrawn": 0,
        "failed": 0,
    }
    # A second quiet day: the spike is over and its warning withdrawn.
    assert evaluate_warnings(now=now + timedelta(days=2), rules=[Rule.SPIKE])["spike"]["withdrawn"] == 1
    warning.refresh_from_db()
    assert warning.work_item.state == "withdrawn"


# ---------------------------------------------------------------------------------------------- deadline


def test_deadline_risk_needs_the_share_and_the_idle_time(people: dict[str, User], territory: Any) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=HQ_TZ)
    # sample_complaint: registered has 4 working hours → due 14:30 (09:00–12:00, 13:30–14:30).
    item = do_start_item(
        "sample_complaint", actor=people["dispatcher"], now=start, title="噪声投诉", territory_code=HQ_GRID
    )
    do_start_item(
        "sample_complaint",
        actor=people["dispatcher"],
        now=start + timedelta(hours=4),
        title="较新的投诉",
        territory_code=HQ_GRID,
    )
    # 12:30: 3 of 4 working hours used (75 % ≥ 60 %) but idle only 3.5 h (< 4 h): nothing.
    assert evaluate_warnings(now=start + timedelta(hours=3, minutes=30), rules=[Rule.DEADLINE_RISK]) == {
        "deadline_risk": {"found": 0, "raised": 0, "withdrawn": 0, "failed": 0}
    }
    # 13:45: 3 h 15 min of 4 h = 81.25 % (≥ 80 %: 橙), idle 4.75 h. The newer item (13:00) is not idle.
    at = start + timedelta(hours=4, minutes=45)
    with time_machine.travel(at, tick=False):
        evaluate_warnings(now=at, rules=[Rule.DEADLINE_RISK])
    (warning,) = EarlyWarning.objects.all()
    assert warning.item_ids == [item.pk] and warning.level == Level.ORANGE
    assert warning.evidence["elapsed_share"] == 0.8125 and warning.evidence["idle_hours"] == 4.75
    assert warning.owner_unit is not None and warning.owner_unit.code == "320507003-gov"
    # The owner unit is told through the outbox (hq_leader works there).
    told = OutboxMessage.objects.filter(payload__work_item=warning.work_item_id)
    assert [m.recipient.username for m in told if m.recipient] == ["hq_leader"]
    # Later sweeps find the same situation: still one warning.
    later = at + timedelta(minutes=15)
    assert evaluate_warnings(now=later, rules=[Rule.DEADLINE_RISK])["deadline_risk"] == {
        "found": 1,
        "raised": 0,
        "withdrawn": 0,
        "failed": 0,
    }
    assert EarlyWarning.objects.count() == 1


def test_deadline_risk_thresholds_are_settings(
    people: dict[str, User], territory: Any, settings: Any
) -> None:
    settings.COMMAND_WARN_DEADLINE_SHARE = 0.9
    start = datetime(2026, 3, 2, 9, 0, tzinfo=HQ_TZ)
    do_start_item(
        "sample_complaint", actor=people["dispatcher"], now=start, title="噪声投诉", territory_code=HQ_GRID
    )
    assert (
        evaluate_warnings(now=start + timedelta(hours=4, minutes=45), rules=[Rule.DEADLINE_RISK])[
            "deadline_risk"
        ]["found"]
        == 0
    )


# ---------------------------------------------------------------------------------------------- places


def test_repeated_reports_at_one_place(people: dict[str, User], reference: Any, now: datetime) -> None:
    # Three reports within ~60 m of each other, one 600 m away.
    near = [
        _report(people, now - timedelta(days=2), lon=120.5520, lat=31.4020),
        _report(people, now - timedelta(days=1), lon=120.5525, lat=31.4022),
        _report(people, now - timedelta(hours=1), lon=120.5518, lat=31.4025, category="0101"),
    ]
    _report(people, now - timedelta(hours=2), lon=120.5583, lat=31.4020)
    evaluate_warnings(now=now, rules=[Rule.REPEATED_PLACE])
    (warning,) = EarlyWarning.objects.all()
    assert warning.item_ids == [e.work_item_id for e in near]
    assert warning.level == Level.YELLOW and warning.evidence["reports"] == 3
    assert warning.fingerprint == f"repeated_place:{near[0].pk}"
    # A fourth report there the next day is the same situation: no second warning.
    _report(people, now + timedelta(days=1), lon=120.5521, lat=31.4021)
    evaluate_warnings(now=now + timedelta(days=1, minutes=5), rules=[Rule.REPEATED_PLACE])
    assert EarlyWarning.objects.count() == 1


def test_two_reports_or_old_ones_are_not_repeated(
    people: dict[str, User], reference: Any, now: datetime, settings: Any
) -> None:
    _report(people, now - timedelta(days=8), lon=120.5520, lat=31.4020)  # outside the 7 days
    _report(people, now - timedelta(days=1), lon=120.5521, lat=31.4021)
    _report(people, now - timedelta(hours=1), lon=120.5522, lat=31.4022)
    evaluate_warnings(now=now, rules=[Rule.REPEATED_PLACE])
    assert EarlyWarning.objects.count() == 0
    settings.COMMAND_WARN_PLACE_DAYS = 9
    evaluate_warnings(now=now, rules=[Rule.REPEATED_PLACE])
    assert EarlyWarning.objects.count() == 1


# ---------------------------------------------------------------------------------------------- backlog


def test_an_unrouted_backlog_per_town(
    people: dict[str, User], reference: Any, now: datetime, settings: Any
) -> None:
    settings.COMMAND_WARN_UNROUTED_COUNT = 2
    filed_at = now - timedelta(hours=3)
    waiting = []
    for grid, actor, lon in (
        (HQ_GRID, "hq_grid", 120.551),
        (HQ_GRID, "hq_grid", 120.557),
        ("320507105201001", "wt_grid", 120.651),
    ):
        event = _report(people, filed_at - timedelta(minutes=5), lon=lon, grid=grid, actor=actor)
        with time_machine.travel(filed_at, tick=False):
            do_event_action(event, "file", actor=people["dispatcher"], now=filed_at)
        waiting.append(event)
    # A fourth, filed just now, is not waiting long enough.
    fresh = _report(people, now - timedelta(minutes=10), lon=120.553)
    do_event_action(fresh, "file", actor=people["dispatcher"], now=now - timedelta(minutes=5))
    evaluate_warnings(now=now, rules=[Rule.UNROUTED_BACKLOG])
    (warning,) = EarlyWarning.objects.all()  # 黄桥 has 2 waiting ≥ 2 h; 渭塘 has 1
    assert warning.territory_code == HUANGQIAO and warning.level == Level.YELLOW
    assert warning.item_ids == sorted(e.work_item_id or 0 for e in waiting[:2])
    assert warning.evidence == {"waiting": 2, "threshold": 2, "hours": 2.0, "oldest_hours": 3.0}


# ---------------------------------------------------------------------------------------------- publication


def test_a_decision_not_published_in_time(personas: dict[str, User]) -> None:
    from enforcement.cases.publication import do_publish_decision, ensure_publication
    from enforcement.tests.test_documents_support import squad_people
    from enforcement.tests.test_publication import DECIDED, decided_case

    people = squad_people(personas, DECIDED)
    late, on_time = decided_case(people), decided_case(people)
    for case in (late, on_time):
        ensure_publication(case)
    # Decided Tue 2026-11-10 10:00: 7 working days → due Thu 11-19 17:30 local (09:30 UTC).
    due = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
    do_publish_decision(on_time, actor=people["officer"], now=due - timedelta(hours=1))
    assert (
        evaluate_warnings(now=due - timedelta(minutes=1), rules=[Rule.PUBLICATION_LATE])["publication_late"][
            "found"
        ]
        == 0
    )
    evaluate_warnings(now=due + timedelta(hours=2), rules=[Rule.PUBLICATION_LATE])
    (warning,) = EarlyWarning.objects.all()
    assert warning.level == Level.ORANGE
    assert warning.item_ids == (
        [late.work_item_id] if late.work_item_id else []
    )  # the helper's cases have none
    assert warning.evidence == {
        "decision_number": late.decision_number,
        "stage": "publish",
        "due_at": due.isoformat(),
        "hours_late": 2.0,
    }
    assert warning.owner_unit_id == late.squad_id and warning.territory_code == late.territory_code
    evaluate_warnings(now=due + timedelta(hours=3), rules=[Rule.PUBLICATION_LATE])
    assert EarlyWarning.objects.count() == 1
    # Published at last: the next evaluation withdraws the warning.
    do_publish_decision(late, actor=people["officer"], now=due + timedelta(hours=4))
    report = evaluate_warnings(now=due + timedelta(hours=5), rules=[Rule.PUBLICATION_LATE])
    assert report["publication_late"] == {"found": 0, "raised": 0, "withdrawn": 1, "failed": 0}
    warning.refresh_from_db()
    assert warning.work_item.state == "withdrawn"


# ---------------------------------------------------------------------------------------------- approvals


@pytest.mark.parametrize(("per_day", "fires"), [(3, True), (1, False)])
def test_an_approvals_queue_that_grows(
    personas: dict[str, User], now: datetime, per_day: int, fires: bool
) -> None:
    from approvals.actions import ApplicantInput, IntakeSpec, do_file_applications_bulk
    from approvals.testing import LICENCE_CODE, PHONE, make_approvals
    from core.testing_codes import citizen_id

    setup = {**personas, **make_approvals(personas, now - timedelta(days=4))}
    serial = iter(range(1000))
    # Filed at the 黄桥 centre: 2 four days ago, then `per_day` a day; nothing is finished.
    for back, n in ((3, 2), (2, per_day), (1, per_day), (0, per_day)):
        specs = [
            IntakeSpec(
                item_code=LICENCE_CODE,
                applicant=ApplicantInput("natural", "申请人", citizen_id(next(serial)), PHONE),
                materials=("营业执照",),
            )
            for _ in range(n)
        ]
        at = now - timedelta(days=back, minutes=10)
        with time_machine.travel(at, tick=False):
            do_file_applications_bulk(specs, centre=setup["hq_centre"], actor=setup["hq_clerk"], now=at)
    evaluate_warnings(now=now, rules=[Rule.APPROVALS_QUEUE])
    found = list(EarlyWarning.objects.all())
    if not fires:  # 2 → 3 → 4 → 5: growing every day, but by 3 < COMMAND_WARN_QUEUE_GROWTH (5)
        assert found == []
        return
    (warning,) = found  # 2 → 5 → 8 → 11: +9 over three days, each day higher
    assert warning.evidence == {"queue": [2, 5, 8, 11], "growth": 9, "days": 3, "threshold": 5}
    assert warning.owner_unit == setup["hq_centre"] and warning.level == Level.YELLOW
    # A day with no filing: 5 → 8 → 11 → 11 stalls but is still up by 6 — the backlog holds.
    report = evaluate_warnings(now=now + timedelta(days=1), rules=[Rule.APPROVALS_QUEUE])
    assert report["approvals_queue"] == {"found": 1, "raised": 0, "withdrawn": 0, "failed": 0}
    # Three flat days later it is no longer up: withdrawn.
    report = evaluate_warnings(now=now + timedelta(days=3), rules=[Rule.APPROVALS_QUEUE])
    assert report["approvals_queue"]["withdrawn"] == 1
    warning.refresh_from_db()
    assert warning.work_item.state == "withdrawn"
