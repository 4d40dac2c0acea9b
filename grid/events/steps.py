"""The rules of each step of process `grid_event` (grid/processes/grid_event.yaml), bound to the engine in
`GridConfig.ready()` (see `workflow.handlers`): `transition()` runs them whichever door moved the event —
`grid.events.steps.do_event_action` (the grid's API and pages), the generic work-item endpoint, the
sweeper's 督办, enforcement's conversion.

Every handler first locks the event of the work item (refused, 409 `no_subject`, when the item has none)
and checks the attachment ids given (`inputs.attachments`: uploaded photos of this event, nothing else).
Then, per step:
- `file`: the routing decision is recorded (`do_record_routing`); the unrouted queue reads it.
- `dispatch`: routing again; the routed unit is the default target (422 `unrouted` with none); after a
  `send_back` the dispatch is marked `redispatch` and `wrong_dispatch` when it goes to another unit;
  the event's level follows the dispatched unit's territory.
- `whistle`: the trigger is one of WHISTLE_TRIGGERS and the target unit sits exactly one level up and
  covers the event; the level climbs one step.
- `mark_duplicate`: the original is resolved and linked (`duplicate_of`).
- `reclassify` (改类, `grid.events.reclassify`): the new class, its standard row and handling limit, routing
  again by it.
- `self_resolve`, `verify_pass` (closing): where the event's standard row says so
  (`CategoryStandard.closing_photo_required`), at least one handling photo (stage feedback, an uploaded
  image) must be on file — 422 `photos_required`; the closure level is the level at closure.
- endings (`self_resolve`, `verify_pass`, `void`) and `mark_duplicate` tell the reporters.
- a `public_reply` input (公开答复, grid.events.publication) is taken only by the steps that end handling
  and is stored on the event; the public outputs show it, never the internal result.
Each step that changes the event's level, closure level or duplicate link writes an event-level audit
row `grid.event_<action>` beside the engine's `workflow.<action>`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy

from accounts.jurisdiction import may_see_code
from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, NotFound
from grid.events.closure import (
    closing_photos,
    closure_level,
    level_grid,
    tell_duplicate_reporter,
    tell_ending,
)
from grid.events.dispatch import (
    check_whistle,
    level_climbed,
    level_from_unit,
    link_original,
    resolve_original,
    route_dispatch,
    route_filing,
)
from grid.events.handling import attachment_ids
from grid.events.publication import clean_public_reply
from grid.events.reclassify import check_reclassify, reclassify_event
from grid.events.report import check_photos, discard_files
from grid.models import EventAttachment, GridEvent
from workflow.engine import transition
from workflow.handlers import Handler, Step, bind
from workflow.models import WorkItem

PROCESS = "grid_event"


def _event(step: Step) -> GridEvent:
    event: GridEvent = step.scratch["event"]
    return event


def _lock_event(step: Step) -> GridEvent:
    """The event of the locked work item, locked too (item first, then event: the order every door
    takes, since every door goes through `transition()`)."""
    event = (
        GridEvent.objects.select_for_update(of=("self",))
        .select_related("category", "standard", "reporter", "duplicate_of")
        .filter(work_item_id=step.item.pk)
        .first()
    )
    if event is None:
        raise Conflict("no_subject", "该办件没有对应的网格事件，不能按网格事件流程办理。", field="action")
    step.scratch["event"] = event
    step.scratch["before"] = {
        "level": event.level,
        "closure_level": event.closure_level,
        "duplicate_of": event.duplicate_of_id,
    }
    return event


def _guard(*checks: Callable[[Step, GridEvent], None]) -> Callable[[Step], None]:
    def guard(step: Step) -> None:
        event = _lock_event(step)
        attachment_ids(step, event)
        step.scratch["public_reply"] = clean_public_reply(step.name, step.inputs)
        for check in checks:
            check(step, event)

    return guard


def _effect(
    changes: Sequence[Callable[[Step, GridEvent], None]], notices: Sequence[Callable[[Step, GridEvent], None]]
) -> Callable[[Step], None]:
    def effect(step: Step) -> None:
        event = _event(step)
        for change in changes:
            change(step, event)
        if step.scratch.get("public_reply") is not None:
            event.public_reply = step.scratch["public_reply"]
        event.updated_at = step.now
        event.save(update_fields=["level", "closure_level", "duplicate_of", "public_reply", "updated_at"])
        before = step.scratch["before"]
        after = {
            "level": event.level,
            "closure_level": event.closure_level,
            "duplicate_of": event.duplicate_of_id,
        }
        if after != before:
            record_event(
                actor=step.actor,
                action=f"grid.event_{step.name}",
                subject=event,
                territory_code=event.territory_code,
                before=before,
                after={**after, "rating": event.rating},
                now=step.now,
            )
        for notice in notices:
            notice(step, event)

    return effect


def _step(
    guards: Sequence[Callable[[Step, GridEvent], None]] = (),
    effects: Sequence[Callable[[Step, GridEvent], None]] = (),
    notices: Sequence[Callable[[Step, GridEvent], None]] = (),
) -> Handler:
    """A step's handler: guards check, effects change the event, notices (after the event is saved and
    audited) tell the people outside."""
    return Handler(guard=_guard(*guards), effect=_effect(effects, notices))


CLOSED, VOIDED = tell_ending("已办结"), tell_ending("已作废")


HANDLERS: dict[str, Handler] = {
    "self_resolve": _step([closing_photos], [level_grid, closure_level], [CLOSED]),
    "file": _step([route_filing]),
    "reclassify": _step([check_reclassify], [reclassify_event]),
    "void": _step(notices=[VOIDED]),
    "mark_duplicate": _step([resolve_original], [link_original], [tell_duplicate_reporter]),
    "dispatch": _step([route_dispatch], [level_from_unit]),
    "sign": _step(),
    "send_back": _step(),
    "whistle": _step([check_whistle], [level_climbed]),
    "park": _step(),
    "unpark": _step(),
    "request_extension": _step(),
    "approve_extension": _step(),
    "reject_extension": _step(),
    "supervise": _step(),
    "supervise_sign": _step(),
    "feedback": _step(),
    "verify_fail": _step(),
    "verify_pass": _step([closing_photos], [closure_level], [CLOSED]),
    "to_enforcement": _step(),
    "enforcement_closed": _step(),
    "enforcement_returned": _step(),
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("事件上报（POST /api/v1/grid/events/）")


def register() -> None:
    bind(PROCESS, HANDLERS, owner="grid", start_door=START_DOOR)


def do_event_action(
    event: GridEvent,
    action: str,
    *,
    actor: User,
    now: datetime,
    reason: str = "",
    inputs: dict[str, Any] | None = None,
    photos: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> GridEvent:
    """The grid's door to its steps: check the uploaded photos, then take `action` through the engine,
    which runs the step's rules bound here (the same path as every other door).
    Refusals: 404 outside jurisdiction, 409 wrong state or stale version, 403 role/unit, 400 with the
    field for bad input, 422 `unrouted` when dispatch finds no unit, 422 `photos_required` at closing."""
    if event.work_item_id is None:
        raise Conflict("invalid_transition", "该事件没有办件。")
    if not actor.is_system and not may_see_code(actor, event.territory_code):
        raise NotFound("未找到该事件。", field="event")
    checked_photos = check_photos(photos)
    saved: list[EventAttachment] = []
    item = WorkItem.objects.select_related("process_version").get(pk=event.work_item_id)
    try:
        with transaction.atomic():
            transition(
                item,
                action,
                actor=actor,
                now=now,
                inputs=dict(inputs or {}),
                reason=reason,
                expected_version=expected_version,
                door={"photos": checked_photos, "saved": saved},
            )
    except BaseException:
        discard_files(saved)
        raise
    return GridEvent.objects.select_related(
        "category", "work_item", "work_item__assigned_unit", "reporter", "duplicate_of"
    ).get(pk=event.pk)
