"""The grid figures from the ledger rollup equal a recomputation from the ledger (grid/figures/ledger.py's
queries) on the demo's month of history — events in every state: late, escalated, reworked, parked,
extended, sent back, wrongly dispatched, voided, duplicated — whether nothing, part or all of the ledger
has been folded (the unfolded tail is added at read time), for the district, each town and grids, over
periods of one day, a week and the month. The district's and towns' answers come from the division rollup,
which every fold, `fold_ledger --rebuild` and its migration keep equal to the grid rollup summed."""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from demo.history import seed_history
from grid.figures.ledger import Scope, compute_figures, rollup_figures
from grid.figures.rollup import whole_days
from grid.models import GridEvent
from workflow.models import LedgerRollup, LedgerRollupByDivision, Transition
from workflow.rollups import Key, by_division, division_differences, fold, fold_all

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # Friday 12:00 in Shanghai
LOCAL_MIDNIGHT = datetime(2026, 3, 20, 16, 0, tzinfo=UTC)  # Saturday 00:00 in Shanghai


@pytest.fixture
def history(territory: Any, personas: dict[str, User], settings: Any, tmp_path: Any) -> dict[str, int]:
    from grid.standards.actions import do_seed_reference

    settings.MEDIA_ROOT = str(tmp_path)
    do_seed_reference(actor=personas["system"], now=NOW - timedelta(days=40))
    return seed_history(now=NOW, system=personas["system"], total=300, real=12)


def periods() -> list[tuple[datetime, datetime]]:
    return [
        (LOCAL_MIDNIGHT - timedelta(days=days), LOCAL_MIDNIGHT - timedelta(days=skip))
        for days, skip in ((35, 0), (7, 0), (14, 7), (1, 0), (3, 2))
    ]


def scopes(personas: dict[str, User]) -> list[tuple[str, str]]:
    busiest = (
        GridEvent.objects.values_list("territory_code", flat=True).order_by("territory_code").distinct()[:3]
    )
    return [("district", "320507"), ("town", "320507003"), ("town", "320507105")] + [
        ("grid", code) for code in busiest
    ]


def assert_rollup_equals_ledger(personas: dict[str, User]) -> int:
    compared = 0
    for level, code in scopes(personas):
        scope = Scope(level, code, code, code)
        for start, end in periods():
            days = whole_days(start, end)
            assert days is not None
            ledger = asdict(compute_figures(scope, start, end))
            rollup = asdict(rollup_figures(scope, start, end, days))
            assert rollup == ledger, (level, code, start, end)
            compared += 1
    return compared


def test_the_rollup_answers_equal_the_ledger_at_every_fold_stage(
    history: dict[str, int], personas: dict[str, User]
) -> None:
    states = set(Transition.objects.values_list("to_state", flat=True))
    assert {"closed", "voided", "duplicate", "parked"} <= states  # every kind of ending is in there
    assert Transition.objects.filter(action="supervise", actor__is_system=True).exists()
    assert Transition.objects.filter(action__in=("verify_fail", "send_back", "whistle")).count() >= 3

    assert_rollup_equals_ledger(personas)  # nothing folded: all of it is the tail
    later = timezone.now() + timedelta(days=400)
    assert fold("grid_event", now=later, batch=500) == 500  # part folded
    assert_rollup_equals_ledger(personas)
    assert division_differences("grid_event", date.min, date.max) == []
    fold_all("grid_event", now=later)
    assert LedgerRollup.objects.exists()
    assert LedgerRollupByDivision.objects.filter(division_code="320507").exists()
    assert assert_rollup_equals_ledger(personas) == 30
    assert division_differences("grid_event", date.min, date.max) == []


def division_rows() -> set[tuple[Any, ...]]:
    return set(
        LedgerRollupByDivision.objects.exclude(count=0).values_list(
            "process_name",
            "division_code",
            "day",
            "measure",
            "flags",
            "since_day",
            "closed_day",
            "deferred_day",
            "count",
        )
    )


def test_a_key_counts_once_under_each_division_of_its_code() -> None:
    day = date(2026, 3, 1)
    grid_key = Key("reported", day, "320507003001002", "event:0102", "patrol")
    village_key = Key("reported", day, "320507003001", "event:0103", "hotline")
    summed = by_division(Counter({grid_key: 2, village_key: 1}))
    assert summed == Counter(
        {
            Key("reported", day, "320507"): 3,
            Key("reported", day, "320507003"): 3,
            Key("reported", day, "320507003001"): 3,
        }
    )
    cancelled = by_division(Counter({grid_key: 1, village_key: -1}))
    assert cancelled == Counter()  # channel and class are dropped: +1 and −1 of one division cancel


def test_district_and_town_figures_are_read_from_the_division_rollup(
    history: dict[str, int], personas: dict[str, User]
) -> None:
    fold_all("grid_event", now=timezone.now() + timedelta(days=400))
    start, end = periods()[0]
    days = whole_days(start, end)
    assert days is not None
    row = LedgerRollupByDivision.objects.filter(
        division_code="320507003", measure="reported", day__gte=days[0], day__lt=days[1]
    ).first()
    assert row is not None
    LedgerRollupByDivision.objects.filter(pk=row.pk).update(count=row.count + 5)

    town = Scope("town", "320507003", "", "320507003")
    assert rollup_figures(town, start, end, days).reported == compute_figures(town, start, end).reported + 5
    district = Scope("district", "320507", "", "320507")
    assert rollup_figures(district, start, end, days) == compute_figures(district, start, end)
    grid = LedgerRollup.objects.filter(territory_code__startswith="320507003").values_list(
        "territory_code", flat=True
    )[0]
    grid_scope = Scope("grid", grid, "", grid)  # a grid still sums the grid rollup
    assert asdict(rollup_figures(grid_scope, start, end, days)) == asdict(
        compute_figures(grid_scope, start, end)
    )


def test_fold_ledger_rebuild_rebuilds_the_division_rollup(history: dict[str, int]) -> None:
    fold_all("grid_event", now=timezone.now() + timedelta(days=400))
    folded = division_rows()
    assert folded
    LedgerRollupByDivision.objects.filter(measure="reported").update(count=0)
    LedgerRollupByDivision.objects.filter(measure="closing").delete()
    assert division_rows() != folded

    call_command("fold_ledger", "--rebuild")

    assert division_rows() == folded
    assert division_differences("grid_event", date.min, date.max) == []


def test_the_migration_fills_the_division_rollup_from_the_grid_rollup(history: dict[str, int]) -> None:
    fold_all("grid_event", now=timezone.now() + timedelta(days=400))
    folded = division_rows()
    LedgerRollupByDivision.objects.all().delete()
    migration = importlib.import_module("workflow.migrations.0008_ledger_rollup_by_division")

    migration.fill_from_grid_rollup(None, SimpleNamespace(connection=connection))

    assert division_rows() == folded


def test_a_step_after_the_fold_moves_the_counts(history: dict[str, int], personas: dict[str, User]) -> None:
    from grid.events.steps import do_event_action

    later = timezone.now() + timedelta(days=400)
    fold_all("grid_event", now=later)
    event = GridEvent.objects.filter(work_item__state="reported").order_by("id").first()
    assert event is not None
    do_event_action(event, "void", actor=personas["dispatcher"], now=NOW, reason="测试作废")
    assert_rollup_equals_ledger(personas)  # the void is in the tail
    fold_all("grid_event", now=later)
    assert_rollup_equals_ledger(personas)  # and now folded


def test_reconcile_figures_reports_no_difference_then_a_tampered_count(
    history: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    fold_all("grid_event", now=timezone.now() + timedelta(days=400))
    call_command("reconcile_figures", "--from", "2026-02-15", "--to", "2026-03-20")
    assert "0 differences" in capsys.readouterr().out
    row = LedgerRollup.objects.filter(measure="reported").order_by("id").first()
    assert row is not None
    LedgerRollup.objects.filter(pk=row.pk).update(count=row.count + 1)
    with pytest.raises(SystemExit):
        call_command("reconcile_figures", "--from", "2026-02-15", "--to", "2026-03-20")
    out = capsys.readouterr().out
    for code in (row.territory_code[:6], row.territory_code[:9], row.territory_code[:12]):
        stored = LedgerRollupByDivision.objects.get(
            process_name="grid_event", division_code=code, day=row.day, measure="reported"
        )
        # The grid rollup no longer sums to the division rollup.
        assert f"division rollup {code} {row.day} reported: {stored.count}, grid rollup summed " in out
        assert f"{stored.count}, grid rollup summed {stored.count + 1}\n" in out

    LedgerRollup.objects.filter(pk=row.pk).update(count=row.count)
    division = LedgerRollupByDivision.objects.filter(
        division_code="320507", measure="reported", day=row.day
    ).first()
    assert division is not None
    LedgerRollupByDivision.objects.filter(pk=division.pk).update(count=division.count + 1)
    with pytest.raises(SystemExit):
        call_command("reconcile_figures", "--from", "2026-02-15", "--to", "2026-03-20")
    out = capsys.readouterr().out
    assert "district 320507 reported: ledger" in out  # the district's answer now differs from the ledger
