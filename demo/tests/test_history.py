"""The demo's month of grid history (demo/history.py) on the small test territory: deterministic,
idempotent, audit chain intact, both paths present, and the engine takes bulk-written items further."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.models import User
from audit.verify import verify_chain
from demo.history import seed_history
from grid.events.steps import do_event_action
from grid.figures.ledger import figures_for
from grid.models import GridEvent, Patrol, PatrolCheckIn
from workflow.models import Transition, WorkItem

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # Friday 12:00 in Shanghai


@pytest.fixture
def history(territory: Any, personas: dict[str, User], settings: Any, tmp_path: Any) -> dict[str, int]:
    from grid.standards.actions import do_seed_reference

    settings.MEDIA_ROOT = str(tmp_path)
    do_seed_reference(actor=personas["system"], now=NOW - timedelta(days=40))
    return seed_history(now=NOW, system=personas["system"], total=300, real=12)


def test_history_is_loaded_once_and_audited(history: dict[str, int], personas: dict[str, User]) -> None:
    assert history["events"] == GridEvent.objects.count() == 300
    assert history["real_events"] >= 10
    assert history["patrols"] == Patrol.objects.count() > 0
    assert history["check_ins"] == PatrolCheckIn.objects.count() > 0
    assert verify_chain().intact
    before = (GridEvent.objects.count(), Transition.objects.count(), Patrol.objects.count())
    again = seed_history(now=NOW + timedelta(days=1), system=personas["system"], total=300, real=12)
    assert again["events"] == again["transitions"] == 0
    assert (GridEvent.objects.count(), Transition.objects.count(), Patrol.objects.count()) == before


def test_events_lie_in_the_month_before_now(history: dict[str, int]) -> None:
    times = list(GridEvent.objects.values_list("reported_at", flat=True))
    assert min(times) >= NOW - timedelta(days=31) and max(times) < NOW
    assert not Transition.objects.filter(occurred_at__gte=NOW).exists()


def test_every_kind_of_history_is_there(history: dict[str, int]) -> None:
    states = Counter(GridEvent.objects.values_list("work_item__state", flat=True))
    assert {"closed", "voided", "duplicate", "reported"} <= set(states)
    assert {"handling", "verifying", "dispatched", "filed"} & set(states)
    actions = set(Transition.objects.values_list("action", flat=True))
    assert {
        "file",
        "dispatch",
        "sign",
        "feedback",
        "verify_pass",
        "verify_fail",
        "send_back",
        "supervise",
        "request_extension",
        "approve_extension",
        "park",
        "self_resolve",
        "void",
        "mark_duplicate",
    } <= actions
    channels = set(GridEvent.objects.values_list("channel", flat=True))
    assert {"patrol", "resident_web", "hotline"} <= channels
    # Real-path receipts are random; bulk ones carry a D and the index.
    receipts = list(GridEvent.objects.values_list("receipt_number", flat=True))
    assert any("D" in r[8:9] for r in receipts) and any(r[8:9] != "D" for r in receipts)


def test_work_items_match_their_transitions(history: dict[str, int]) -> None:
    for item in WorkItem.objects.filter(process_name="grid_event").prefetch_related("transitions"):
        rows = list(item.transitions.all())
        assert rows[0].action == "start"
        assert rows[-1].to_state == item.state
        assert item.version == len(rows)
        for earlier, later in itertools.pairwise(rows):
            assert later.from_state == earlier.to_state
            assert later.occurred_at >= earlier.occurred_at
        assert (item.closed_at is not None) == (item.state in ("closed", "voided", "duplicate"))
        if item.closed_at is None and item.state != "parked":
            assert item.step_due_at is not None and item.warn_at is not None


def test_the_engine_takes_bulk_items_further(history: dict[str, int], personas: dict[str, User]) -> None:
    later = NOW + timedelta(minutes=5)
    bulk = GridEvent.objects.filter(receipt_number__regex=r"^SJ\d{6}D").select_related("work_item")
    reported = bulk.filter(work_item__state="reported").first()
    assert reported is not None
    event = do_event_action(reported, "file", actor=personas["dispatcher"], now=later)
    assert event.work_item is not None and event.work_item.state == "filed"
    handling = bulk.filter(
        work_item__state="handling", work_item__assigned_unit__code="320507003-urban"
    ).first()
    if handling is not None:
        event = do_event_action(
            handling,
            "request_extension",
            actor=personas["hq_agency"],
            now=later,
            reason="需协调",
        )
        assert event.work_item is not None and event.work_item.state == "extension_requested"
    verifying = bulk.filter(work_item__state="verifying").first()
    if verifying is not None:
        event = do_event_action(verifying, "verify_pass", actor=personas["dispatcher"], now=later)
        assert event.work_item is not None and event.work_item.state == "closed"
    assert handling is not None or verifying is not None
    assert verify_chain().intact


def test_figures_agree_with_plain_counts(history: dict[str, int], personas: dict[str, User]) -> None:
    start, end = NOW - timedelta(days=31), NOW
    figures = figures_for(personas["dispatcher"], "district", "320507", start, end)
    assert figures.reported == 300
    closed = Transition.objects.filter(to_state="closed", occurred_at__gte=start, occurred_at__lt=end).count()
    assert figures.closed == closed > 0
    assert figures.reworks == Transition.objects.filter(action="verify_fail").count() > 0
    assert figures.patrol_done is not None and 0 < figures.patrol_done <= (figures.patrol_due or 0)
    assert figures.ratings > 0 and figures.missed_reports > 0


def test_every_filed_event_is_routed_like_a_live_one(
    history: dict[str, int], personas: dict[str, User]
) -> None:
    from grid.events.selectors import SUBJECT_TYPE, latest_routing, unrouted_events_for
    from grid.models import RoutingDecision

    # One decision per `file` and per `dispatch`, as the live steps record them (bulk and real paths alike).
    routed_steps = Counter(
        Transition.objects.filter(action__in=("file", "dispatch")).values_list("item__subject_id", flat=True)
    )
    decisions = Counter(
        RoutingDecision.objects.filter(subject_type=SUBJECT_TYPE).values_list("subject_id", flat=True)
    )
    assert routed_steps and decisions == routed_steps
    # The 未路由 queue holds exactly the waiting events whose latest decision found no unit.
    waiting = GridEvent.objects.filter(work_item__state="filed")
    assert waiting.exists()
    unrouted = {e.pk for e in waiting if (d := latest_routing(e)) is not None and d.chosen_unit_id is None}
    assert {e.pk for e in unrouted_events_for(personas["dispatcher"])} == unrouted
    assert all(latest_routing(e) is not None for e in waiting)


def test_titles_name_the_grid_not_its_code(history: dict[str, int]) -> None:
    import re

    from territory.models import Grid

    code = re.compile(r"\d{15}")
    names = set(Grid.objects.values_list("name", flat=True))
    titles = list(GridEvent.objects.values_list("title", "work_item__title"))
    assert titles and not [t for pair in titles for t in pair if t and code.search(t)]
    assert all(title.split("（")[-1].rstrip("）") in names for title, _item in titles)
