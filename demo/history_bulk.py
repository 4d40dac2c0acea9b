"""The bulk path of the demo history (demo/history.py): events, photos and duplicate links written in
batches, their work items and transitions replayed by `workflow.bulk.do_import_items`."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import OrgUnit, User
from audit.actions import record_event
from demo.history_plan import (
    BATCH,
    MARK,
    Planned,
    World,
    _actor_name,
    _png_digest,
    _reporter_name,
    _users,
    demo_png,
)
from demo.history_routing import ROUTED_ACTIONS, decision_for
from grid.models import (
    AttachmentStage,
    Category,
    EventAttachment,
    GridEvent,
    RoutingDecision,
)
from territory.models import Grid
from workflow.bulk import ItemRecord, RecordedStep, do_import_items
from workflow.models import Priority, WorkItem
from workflow.process_definition import ProcessDefinition, definition_of_version
from workflow.publishing import current_version

_DESCRIPTIONS = [
    "路口附近发现，影响通行和环境，请尽快处理。",
    "居民反映多次，现场情况属实。",
    "巡查中发现，已拍照留存。",
    "早晚高峰尤为明显，群众意见较大。",
    "位于小区出入口旁，存在安全隐患。",
]
_CATEGORY_NAMES: dict[tuple[str, str], str] = {}


def _category_name(p: Planned) -> str:
    if not _CATEGORY_NAMES:
        _CATEGORY_NAMES.update({(c.kind, c.code): c.name for c in Category.objects.all()})
    return _CATEGORY_NAMES.get((p.kind, p.category), p.category)


def _phone(index: int) -> str:
    return f"139{(index * 7919 + 12345) % 100000000:08d}"


# ---------------------------------------------------------------------------------------------- bulk


LEVEL_OF_LENGTH = {15: "grid", 12: "village", 9: "town", 6: "district"}


def write_bulk(world: World, planned: list[Planned], now: datetime, *, system: User) -> tuple[int, int]:
    """Write the bulk-path events in batches of BATCH: the events and their photos here, the work items
    and transitions through the engine's import (`workflow.bulk.do_import_items`)."""
    names = {"dispatcher", "system"}
    for p in planned:
        names.add(_reporter_name(world, p) or "system")
        names.update(n for s in p.steps if (n := _actor_name(world, p, s.actor)))
    users = _users(names)
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(
            code__in=set(world.members) | {f"{g[:12]}-vc" for g, _ in world.grids}
        )
    }
    categories = {(c.kind, c.code): c for c in Category.objects.all()}
    version = current_version("grid_event", now=now)
    definition: ProcessDefinition = definition_of_version(
        version.pk, version.content_hash, version.definition
    )
    targets = {name: action.target for name, action in definition.actions.items()}
    photo_name = default_storage.save("events/demo/现场照片.png", ContentFile(demo_png()))
    by_index: dict[int, GridEvent] = {}
    transitions = 0
    for start in range(0, len(planned), BATCH):
        batch = planned[start : start + BATCH]
        with transaction.atomic():
            transitions += _write_batch(
                batch, by_index, world, users, units, categories, targets, now, system, photo_name
            )
    return len(planned), transitions


def _write_batch(
    batch: list[Planned],
    by_index: dict[int, GridEvent],
    world: World,
    users: dict[str, User],
    units: dict[str, OrgUnit],
    categories: dict[tuple[str, str], Category],
    targets: dict[str, str],
    now: datetime,
    system: User,
    photo_name: str,
) -> int:
    events = []
    # Titles name the grid as the live path does (category（grid name）), never its 15-digit code.
    grid_names = dict(Grid.objects.filter(code__in={p.grid for p in batch}).values_list("code", "name"))
    for p in batch:
        category = categories[(p.kind, p.category)]
        reporter = _reporter_name(world, p)
        standard = world.standards[(p.kind, p.category)]
        title = f"{category.name}（{grid_names.get(p.grid, p.grid)}）"
        level, closure_level, closed = _outcome(p, units, targets)
        rating, rated_at = p.rating if p.rating is not None and closed else (None, None)
        events.append(
            GridEvent(
                level=level,
                closure_level=closure_level,
                rating=rating,
                rated_at=rated_at,
                receipt_number=f"SJ{timezone.localtime(p.reported_at):%y%m%d}D{p.index:07d}",
                kind=p.kind,
                category=category,
                standard=standard,
                channel=p.channel,
                title=title,
                description=f"{category.name}：{_DESCRIPTIONS[p.index % len(_DESCRIPTIONS)]}",
                grid_id=p.grid,
                territory_code=p.grid,
                reporter=users.get(reporter) if reporter else None,
                reported_at=p.reported_at,
                attributes=dict(MARK),
                created_at=p.reported_at,
                updated_at=p.steps[-1].at if p.steps else p.reported_at,
            )
        )
    GridEvent.objects.bulk_create(events)
    for p, event in zip(batch, events, strict=True):
        by_index[p.index] = event
    # The feedback photos first: the transitions carry their ids (as grid.events.handling records them).
    photos: dict[tuple[int, int], EventAttachment] = {}
    for p, event in zip(batch, events, strict=True):
        for position, step in enumerate(p.steps):
            if step.action in ("feedback", "self_resolve"):
                photos[(p.index, position)] = EventAttachment(
                    event=event,
                    stage=AttachmentStage.FEEDBACK,
                    file=photo_name,
                    content_type="image/png",
                    size=len(demo_png()),
                    sha256=_png_digest(),
                    uploaded_by=users.get(_actor_name(world, p, step.actor) or "") or system,
                    uploaded_at=step.at,
                )
    EventAttachment.objects.bulk_create(list(photos.values()))
    RoutingDecision.objects.bulk_create(
        [
            decision_for(
                world.route_results[(p.kind, p.category, p.grid[:9])],
                event,
                at=step.at,
                actor=users.get(_actor_name(world, p, step.actor) or ""),
            )
            for p, event in zip(batch, events, strict=True)
            for step in p.steps
            if step.action in ROUTED_ACTIONS and (p.kind, p.category, p.grid[:9]) in world.route_results
        ]
    )
    records = [
        _record(p, event, by_index, photos, world, users, system)
        for p, event in zip(batch, events, strict=True)
    ]
    items = do_import_items("grid_event", records, actor=system, now=now)
    # Link each event to its item in one statement (bulk_update builds a CASE per row: far slower).
    GridEvent.objects.filter(pk__in=[e.pk for e in events]).update(
        work_item_id=Subquery(
            WorkItem.objects.filter(
                subject_type="grid.gridevent", subject_id=Cast(OuterRef("pk"), CharField())
            ).values("pk")[:1]
        )
    )
    for event in events:
        if event.duplicate_of_id is not None:
            GridEvent.objects.filter(pk=event.pk).update(duplicate_of_id=event.duplicate_of_id)
    count = sum(item.version for item in items)  # one transition per version: start + each step
    record_event(
        actor=system,
        action="demo.history_loaded",
        subject_type="grid.gridevent",
        subject_id=f"{events[0].pk}-{events[-1].pk}",
        after={
            "events": len(events),
            "work_items": len(items),
            "transitions": count,
            "first_receipt": events[0].receipt_number,
            "last_receipt": events[-1].receipt_number,
            "digest": hashlib.sha256(",".join(e.receipt_number for e in events).encode()).hexdigest(),
        },
        now=now,
    )
    return count


def _record(
    p: Planned,
    event: GridEvent,
    by_index: dict[int, GridEvent],
    photos: dict[tuple[int, int], EventAttachment],
    world: World,
    users: dict[str, User],
    system: User,
) -> ItemRecord:
    """The event's timeline as the engine imports it. The 督办 the sweeper would have done (overdue
    sign-for or handling) is the engine's to replay: `do_import_items` adds it at the deadline."""
    assert p.handling is not None
    steps = []
    for position, step in enumerate(p.steps):
        if step.actor == "system":
            continue
        inputs = dict(step.inputs)
        if step.action == "mark_duplicate":
            assert p.duplicate_of is not None
            original = by_index[p.duplicate_of]
            inputs.update(original=original.receipt_number, original_id=original.pk)
            event.duplicate_of = original
        if (p.index, position) in photos:
            inputs["attachments"] = [str(photos[(p.index, position)].pk)]
        actor = users.get(_actor_name(world, p, step.actor) or "") or system
        steps.append(RecordedStep(step.action, actor, step.at, inputs, step.reason))
    reporter = _reporter_name(world, p)
    return ItemRecord(
        title=event.title,
        territory_code=p.grid,
        created_at=p.reported_at,
        transitions=steps,
        subject_type="grid.gridevent",
        subject_id=str(event.pk),
        priority=Priority.NORMAL,
        limits={"handling": {"amount": p.handling[0], "unit": p.handling[1]}},
        started_by=(users.get(reporter) if reporter else None) or system,
        start_inputs={"receipt_number": event.receipt_number, "channel": p.channel},
    )


def _outcome(p: Planned, units: dict[str, OrgUnit], targets: dict[str, str]) -> tuple[str, str, bool]:
    """(level, closure level, closed) after the planned steps: dispatch and whistle move the level to
    the unit's, self-resolving keeps it at grid (as grid.events.dispatch does)."""
    level, closure_level = "grid", ""
    for step in p.steps:
        if step.action in ("dispatch", "whistle"):
            unit = units.get(step.inputs["assigned_unit"])
            level = LEVEL_OF_LENGTH[len(unit.territory_code)] if unit is not None else level
        if targets[step.action] == "closed":
            closure_level = level
    closed = bool(p.steps) and targets[p.steps[-1].action] == "closed"
    return level, closure_level, closed
