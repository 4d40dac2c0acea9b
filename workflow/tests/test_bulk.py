"""workflow.bulk: an imported history yields the item `transition()` would have written; records that do
not fit are refused by index and step; imported items go on through the engine; one audit event per
batch. Bulk starts equal `do_start_item`'s items, with its refusals."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from audit.verify import verify_chain
from core.errors import DomainError, NotFound, PermissionRefused
from outbox.models import OutboxMessage
from workflow.bulk import ItemRecord, RecordedStep, StartSpec, do_import_items, do_start_items_bulk
from workflow.engine import transition
from workflow.models import Transition, WorkItem
from workflow.publishing import current_version
from workflow.start import do_start_item
from workflow.sweeper import sweep
from workflow.tests.conftest import GRID, URBAN, at

pytestmark = pytest.mark.django_db

COMPARED = [
    "state",
    "territory_code",
    "assigned_unit_id",
    "assignee_id",
    "priority",
    "created_at",
    "updated_at",
    "closed_at",
    "due_at",
    "due_provisional",
    "step_started_at",
    "step_unit",
    "step_limit_seconds",
    "step_due_at",
    "warn_at",
    "deadline_provisional",
    "paused_at",
    "paused_seconds_total",
    "paused_remaining_seconds",
    "paused_due_remaining_seconds",
    "warned_at",
    "overdue_at",
    "version",
    "limit_overrides",
]


def _timeline(p: dict[str, Any]) -> list[RecordedStep]:
    """Dispatch, park and resume, extension, rework: every clock move of the sample process."""
    return [
        RecordedStep(
            "dispatch", p["dispatcher"], at(2026, 9, 30), {"assigned_unit": URBAN, "assignee": "hq_agency"}
        ),
        RecordedStep("park", p["hq_agency"], at(2026, 10, 8, 11), reason="等待规划意见"),
        RecordedStep("resume", p["hq_agency"], at(2026, 10, 12, 9, 15)),
        RecordedStep("request_extension", p["hq_agency"], at(2026, 10, 13, 14), reason="需联合处置"),
        RecordedStep("approve_extension", p["dispatcher"], at(2026, 10, 14, 9)),
        RecordedStep(
            "submit", p["hq_agency"], at(2026, 10, 16, 16), {"result": "已处理", "attachments": ["f1"]}
        ),
        RecordedStep("rework", p["dispatcher"], at(2026, 10, 19, 10), reason="未处置到位"),
        RecordedStep(
            "submit", p["hq_agency"], at(2026, 10, 21, 11, 40), {"result": "已返工", "attachments": ["f2"]}
        ),
    ]


def _record(p: dict[str, Any], steps: list[RecordedStep] | None = None, **kwargs: Any) -> ItemRecord:
    values: dict[str, Any] = {
        "title": "占道经营投诉",
        "territory_code": GRID,
        "created_at": at(2026, 9, 29),
        "transitions": _timeline(p) if steps is None else steps,
        "started_by": p["dispatcher"],
    }
    values.update(kwargs)
    return ItemRecord(**values)


def test_an_imported_timeline_equals_the_same_actions_through_transition(personas: dict[str, Any]) -> None:
    steps = _timeline(personas)
    live = do_start_item(
        "sample_complaint",
        actor=personas["dispatcher"],
        now=at(2026, 9, 29),
        title="占道经营投诉",
        territory_code=GRID,
    )
    for step in steps:
        live = transition(
            live, step.action, actor=step.actor, now=step.occurred_at, inputs=step.inputs, reason=step.reason
        )
    assert live.state == "verifying" and live.paused_seconds_total > 0

    [imported] = do_import_items(
        "sample_complaint",
        [_record(personas, steps)],
        actor=personas["system"],
        now=at(2026, 10, 21, 12),
        escalate=False,
    )
    fresh = WorkItem.objects.get(pk=imported.pk)
    for name in COMPARED:
        assert getattr(fresh, name) == getattr(live, name), name
    history = (
        "action",
        "from_state",
        "to_state",
        "actor_id",
        "occurred_at",
        "step_elapsed_seconds",
        "step_unit",
    )
    assert list(Transition.objects.filter(item=fresh).values_list(*history)) == list(
        Transition.objects.filter(item=live).values_list(*history)
    )


def test_the_import_does_what_the_sweeper_would_have(personas: dict[str, Any]) -> None:
    """Left in handling past its deadline: warned, overdue, and 督办 by the system at the deadline."""
    steps = _timeline(personas)[:1]
    now = at(2026, 10, 20)
    [item] = do_import_items(
        "sample_complaint", [_record(personas, steps)], actor=personas["system"], now=now
    )
    assert item.step_due_at == at(2026, 10, 13, 17, 30)
    assert item.warned_at == item.warn_at and item.overdue_at == item.step_due_at
    last = Transition.objects.filter(item=item).last()
    assert last is not None and (last.action, last.occurred_at, last.actor.is_system) == (
        "supervise",
        item.step_due_at,
        True,
    )
    assert item.version == 3
    report = sweep(now=now)
    assert (report.warned, report.overdue) == (0, 0)


def test_a_record_that_does_not_fit_is_refused_by_index_and_step(personas: dict[str, Any]) -> None:
    good = _record(personas)
    wrong_order = _record(personas, [RecordedStep("submit", personas["hq_agency"], at(2026, 9, 30))])
    with pytest.raises(DomainError) as refused:
        do_import_items(
            "sample_complaint", [good, wrong_order], actor=personas["system"], now=at(2026, 11, 1)
        )
    assert refused.value.field == "records[1].transitions[0]"
    assert "第 1 条记录第 0 步" in refused.value.message
    steps = _timeline(personas)
    steps[1] = RecordedStep("park", personas["hq_agency"], at(2026, 10, 8, 11))  # no reason
    with pytest.raises(DomainError) as refused:
        do_import_items(
            "sample_complaint", [_record(personas, steps)], actor=personas["system"], now=at(2026, 11, 1)
        )
    assert refused.value.field == "records[0].transitions[1]"
    steps = _timeline(personas)
    steps[0] = RecordedStep("dispatch", personas["dispatcher"], at(2026, 9, 30), {"assigned_unit": "nope"})
    with pytest.raises(DomainError) as refused:
        do_import_items(
            "sample_complaint", [_record(personas, steps)], actor=personas["system"], now=at(2026, 11, 1)
        )
    assert refused.value.field == "records[0].transitions[0]"
    with pytest.raises(DomainError) as refused:
        do_import_items(
            "sample_complaint",
            [_record(personas, territory_code="999999")],
            actor=personas["system"],
            now=at(2026, 11, 1),
        )
    assert refused.value.field == "records[0]"
    with pytest.raises(DomainError):  # the future
        do_import_items(
            "sample_complaint", [_record(personas)], actor=personas["system"], now=at(2026, 10, 1)
        )
    assert WorkItem.objects.count() == Transition.objects.count() == 0


def test_only_the_system_superusers_and_data_stewards_import(personas: dict[str, Any]) -> None:
    with pytest.raises(PermissionRefused):
        do_import_items(
            "sample_complaint", [_record(personas)], actor=personas["dispatcher"], now=at(2026, 11, 1)
        )
    assert not WorkItem.objects.exists()


def test_imported_items_go_on_through_the_engine_and_one_audit_event_per_batch(
    personas: dict[str, Any],
) -> None:
    current_version("sample_complaint", now=at(2026, 9, 1))  # published (and audited) beforehand
    before = AuditEvent.objects.count()
    records = [_record(personas, subject_id=str(n)) for n in range(3)] + [_record(personas, [])]
    items = do_import_items("sample_complaint", records, actor=personas["system"], now=at(2026, 10, 21, 12))
    assert AuditEvent.objects.count() == before + 1
    summary = AuditEvent.objects.order_by("-id").first()
    assert summary is not None and summary.action == "workflow.import"
    after: dict[str, Any] = summary.after or {}
    assert after["count"] == 4 and after["first_id"] == items[0].pk
    assert summary.territory_code == GRID
    assert items[3].state == "registered" and items[3].version == 1
    assert not OutboxMessage.objects.exists()  # nobody is notified of the past
    closed = transition(items[0], "close", actor=personas["dispatcher"], now=at(2026, 10, 22))
    assert closed.state == "closed" and closed.version == items[0].version
    dispatched = transition(
        items[3],
        "dispatch",
        actor=personas["dispatcher"],
        now=at(2026, 10, 22),
        inputs={"assigned_unit": URBAN},
    )
    assert dispatched.state == "handling"
    assert verify_chain().intact


def test_bulk_start_equals_do_start_item(personas: dict[str, Any], urban: Any) -> None:
    now = at(2026, 9, 29)
    single = do_start_item(
        "sample_complaint",
        actor=personas["dispatcher"],
        now=now,
        title="占道经营投诉",
        territory_code=GRID,
        assigned_unit=urban,
        limits={"handling": {"amount": 2, "unit": "work_days"}},
    )
    specs = [
        StartSpec(
            "占道经营投诉", GRID, assigned_unit=urban, limits={"handling": {"amount": 2, "unit": "work_days"}}
        ),
        StartSpec("另一件", GRID, subject_id="7", assigned_unit=urban, assignee=personas["hq_agency"]),
        StartSpec("第三件", "320507003"),
    ]
    before = (AuditEvent.objects.count(), OutboxMessage.objects.count())
    items = do_start_items_bulk("sample_complaint", specs, actor=personas["dispatcher"], now=now)
    fresh = WorkItem.objects.get(pk=items[0].pk)
    for name in COMPARED:
        assert getattr(fresh, name) == getattr(single, name), name
    assert items[2].step_due_at == single.step_due_at and items[1].assignee == personas["hq_agency"]
    assert AuditEvent.objects.count() == before[0] + 1
    # The first item's unit members (hq_agency and a colleague) and the second's assignee.
    unit_messages = OutboxMessage.objects.filter(kind="workflow.assigned", payload__work_item=items[0].pk)
    assert unit_messages.count() == OutboxMessage.objects.filter(payload__work_item=single.pk).count() > 0
    assert (
        OutboxMessage.objects.filter(payload__work_item=items[1].pk).get().recipient == personas["hq_agency"]
    )
    assert OutboxMessage.objects.count() == before[1] + unit_messages.count() + 1
    assert Transition.objects.filter(item__in=items, action="start").count() == 3
    assert verify_chain().intact


@pytest.mark.parametrize(
    ("who", "spec", "error", "field"),
    [
        ("hq_agency", StartSpec("x", GRID), PermissionRefused, None),
        ("wt_grid", StartSpec("x", GRID), NotFound, "specs[0].territory_code"),
        ("dispatcher", StartSpec("x", "320507999"), DomainError, "specs[0].territory_code"),
        ("dispatcher", StartSpec(" ", GRID), DomainError, "specs[0].title"),
        ("dispatcher", StartSpec("x", GRID, priority=9), DomainError, "specs[0].priority"),
    ],
)
def test_bulk_start_refusals(
    personas: dict[str, Any], who: str, spec: StartSpec, error: type[Exception], field: str | None
) -> None:
    with pytest.raises(error) as refused:
        do_start_items_bulk("sample_complaint", [spec], actor=personas[who], now=at(2026, 9, 29))
    if field is not None:
        assert getattr(refused.value, "field", None) == field
    assert not WorkItem.objects.exists()


def test_bulk_start_refuses_an_assignee_outside_the_unit(personas: dict[str, Any], urban: Any) -> None:
    spec = StartSpec("x", GRID, assigned_unit=urban, assignee=personas["hq_grid"])
    with pytest.raises(DomainError) as refused:
        do_start_items_bulk("sample_complaint", [spec], actor=personas["dispatcher"], now=at(2026, 9, 29))
    assert refused.value.field == "specs[0].assignee"


def test_a_title_longer_than_the_column_is_shortened_alike_by_both_starts(personas: dict[str, Any]) -> None:
    """Titles are built from a resident's words or a purpose: one over 200 characters starts (it would
    fail on PostgreSQL), cut on a character with an ellipsis, the same by the single and the bulk start."""
    long = "  " + "河道保洁" * 60 + "  "  # 240 characters inside the spaces
    single = do_start_item(
        "sample_complaint", actor=personas["dispatcher"], now=at(2026, 9, 29), title=long, territory_code=GRID
    )
    [bulk] = do_start_items_bulk(
        "sample_complaint", [StartSpec(long, GRID)], actor=personas["dispatcher"], now=at(2026, 9, 29)
    )
    stored = {WorkItem.objects.get(pk=single.pk).title, WorkItem.objects.get(pk=bulk.pk).title}
    assert stored == {("河道保洁" * 60)[:199] + "…"}
