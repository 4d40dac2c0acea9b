"""A source's change to a registered legal entity goes through the registry's change path like a grid
worker's: it waits for the village's review on registry_change and applies only when approved; the
reviewers are the village's, the grid worker and the outsider are refused; a returned change applies
nothing; a row with an invalid credit code is quarantined and registers nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from accounts.models import User
from core.errors import NotFound, PermissionRefused
from datashare.models import Connector, QuarantinedRow
from datashare.sync import do_run_connector
from datashare.tests.conftest import NOW, code, row, write_csv
from registry.models import Entity, RecordChange
from workflow.engine import transition
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(hours=1)


def review_item(change: RecordChange) -> WorkItem:
    return WorkItem.objects.get(subject_type="registry.recordchange", subject_id=str(change.pk))


@pytest.fixture
def proposed(drop: Connector, published: None) -> RecordChange:
    """Entity 1 registered by a first run; a second run's newer row renames it and changes its size."""
    folder = Path(drop.config["directory"])
    write_csv(folder / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    do_run_connector(drop, now=NOW)
    write_csv(folder / "b.csv", [row(1, "2026-03-02T00:00:00Z", name="改名后的单位", size="中型")])
    run = do_run_connector(drop, now=LATER)
    assert (run.created, run.updated, run.proposed, run.quarantined) == (0, 1, 1, 0)
    return RecordChange.objects.get(kind=RecordChange.Kind.ENTITY)


def test_a_sources_change_waits_for_the_village_then_applies(
    drop: Connector, proposed: RecordChange, people: dict[str, User]
) -> None:
    entity = Entity.objects.get(uscc=code(1))
    assert (entity.name, entity.size) == ("测试单位1", "small")  # nothing before the review
    assert proposed.fields == ["name", "size"] and proposed.proposed_by.is_system
    assert review_item(proposed).process_version.name == "registry_change"
    # The same row read again proposes nothing a second time.
    Connector.objects.filter(pk=drop.pk).update(bookmark_cursor="", bookmark_key="")
    drop.refresh_from_db()
    replay = do_run_connector(drop, now=LATER)
    assert (replay.proposed, replay.unchanged) == (0, 2)
    assert RecordChange.objects.filter(kind=RecordChange.Kind.ENTITY).count() == 1

    transition(review_item(proposed), "approve", actor=people["hq_head"], now=LATER)
    entity.refresh_from_db()
    assert (entity.name, entity.size) == ("改名后的单位", "medium")
    assert entity.history.filter(history_user=people["hq_head"], name="改名后的单位").exists()
    proposed.refresh_from_db()
    assert proposed.outcome == RecordChange.Outcome.APPLIED


def test_a_returned_change_applies_nothing(proposed: RecordChange, people: dict[str, User]) -> None:
    transition(review_item(proposed), "reject", actor=people["hq_head"], now=LATER, reason="来源数据有误")
    proposed.refresh_from_db()
    assert proposed.outcome == RecordChange.Outcome.RETURNED
    assert Entity.objects.get(uscc=code(1)).name == "测试单位1"


def test_the_grid_worker_may_not_approve_and_the_outsider_sees_nothing(
    proposed: RecordChange, people: dict[str, User]
) -> None:
    with pytest.raises(PermissionRefused):
        transition(review_item(proposed), "approve", actor=people["hq_grid"], now=LATER)
    for outsider in (people["wt_grid"], people["wt_steward"]):
        with pytest.raises(NotFound):
            transition(review_item(proposed), "approve", actor=outsider, now=LATER)
    proposed.refresh_from_db()
    assert proposed.outcome == RecordChange.Outcome.PROPOSED
    assert Entity.objects.get(uscc=code(1)).name == "测试单位1"


def test_an_invalid_credit_code_is_quarantined_and_proposes_nothing(drop: Connector, published: None) -> None:
    folder = Path(drop.config["directory"])
    mistyped = code(1)[:-1] + ("0" if code(1)[-1] != "0" else "1")
    write_csv(folder / "a.csv", [row(1, "2026-03-01T00:00:00Z", uscc=mistyped, name="错码单位")])
    run = do_run_connector(drop, now=NOW)
    assert (run.created, run.proposed, run.quarantined) == (0, 0, 1)
    kept = QuarantinedRow.objects.get(connector=drop)
    assert (kept.code, kept.field) == ("invalid_uscc", "uscc")
    assert not Entity.objects.exists() and not RecordChange.objects.exists()
