"""The rules of each step of process `grid_event` (grid/processes/grid_event.yaml), bound to the engine in
`GridConfig.ready()` (see `workflow.handlers`): `transition()` runs them whichever door moved the event —
`grid.event_actions.do_event_action` (the grid's API and pages), the generic work-item endpoint, the
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
- `self_resolve`, `verify_pass` (closing): where the event's standard row says so
  (`CategoryStandard.closing_photo_required`), at least one handling photo (stage feedback, an uploaded
  image) must be on file — 422 `photos_required`; the closure level is the level at closure.
- endings (`self_resolve`, `verify_pass`, `void`) and `mark_duplicate` tell the reporters.
Each step that changes the event's level, closure level or duplicate link writes an event-level audit
row `grid.event_<action>` beside the engine's `workflow.<action>`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from accounts.models import OrgUnit
from audit.actions import record_event
from core.errors import Conflict, DomainError, Unprocessable
from grid.actions import do_record_routing
from grid.event_selectors import SUBJECT_TYPE, events_visible_to, normalize_receipt
from grid.models import AttachmentStage, EventAttachment, EventLevel, GridEvent
from grid.routing import route
from workflow.handlers import Handler, Step, bind
from workflow.models import Transition

PROCESS = "grid_event"
WHISTLE_TRIGGERS = ("beyond_powers", "needs_enforcement", "emergency", "residents_unsolved")
# Territory-code length → level, and the order a whistle climbs.
LEVEL_OF_LENGTH = {15: EventLevel.GRID, 12: EventLevel.VILLAGE, 9: EventLevel.TOWN, 6: EventLevel.DISTRICT}
LEVEL_ORDER = [EventLevel.GRID, EventLevel.VILLAGE, EventLevel.TOWN, EventLevel.DISTRICT]
LENGTH_OF_LEVEL = {level: length for length, level in LEVEL_OF_LENGTH.items()}
# The stage a photo uploaded with the step is stored under (the stream door's uploads).
PHOTO_ACTIONS = {
    "self_resolve": AttachmentStage.FEEDBACK,
    "feedback": AttachmentStage.FEEDBACK,
    "verify_fail": AttachmentStage.VERIFICATION,
    "verify_pass": AttachmentStage.VERIFICATION,
}
ENDING_ACTIONS = ("self_resolve", "verify_pass", "void")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


def level_of_code(code: str) -> str:
    level = LEVEL_OF_LENGTH.get(len(code))
    if level is None:
        raise DomainError("invalid", f"无法判断代码 {code} 的层级。", field="inputs.assigned_unit")
    return level


# ---------------------------------------------------------------------------------------------- common


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


def _save_door_photos(step: Step, event: GridEvent) -> list[str]:
    """Photos uploaded through the grid's own door (checked there), stored under the step's stage. The
    door keeps the list of saved files to discard them if the transaction fails."""
    photos = step.door.get("photos") or ()
    if not photos:
        return []
    if step.name not in PHOTO_ACTIONS:
        raise DomainError("invalid", "该操作不接受照片。", field="photos")
    from grid.event_actions import save_photos

    saved = save_photos(event, photos, stage=PHOTO_ACTIONS[step.name], actor=step.actor, now=step.now)
    kept = step.door.get("saved")
    if isinstance(kept, list):
        kept.extend(saved)
    return [str(a.pk) for a in saved]


def _attachment_ids(step: Step, event: GridEvent) -> None:
    """`inputs.attachments`: ids of photos uploaded for this event (an uploaded image file, not a link,
    not another event's); the door's new uploads are added."""
    given = step.inputs.get("attachments")
    ids: list[str] = []
    if given is not None:
        if not isinstance(given, list) or not all(
            isinstance(a, str | int) and not isinstance(a, bool) for a in given
        ):
            raise DomainError("invalid", "附件须为附件编号的列表。", field="inputs.attachments")
        ids = [str(a) for a in given]
        if not all(a.isdigit() for a in ids):
            raise DomainError(
                "invalid", "附件编号无效（须为本事件已上传照片的编号）。", field="inputs.attachments"
            )
        known = {
            str(pk)
            for pk in EventAttachment.objects.filter(event=event, content_type__in=IMAGE_TYPES)
            .exclude(file="")
            .values_list("pk", flat=True)
        }
        if not set(ids) <= known:
            raise DomainError("invalid", "附件须为本事件已上传的照片。", field="inputs.attachments")
    ids += _save_door_photos(step, event)
    if ids:
        step.inputs["attachments"] = ids
    elif "attachments" in step.inputs:
        del step.inputs["attachments"]


def _guard(*checks: Callable[[Step, GridEvent], None]) -> Callable[[Step], None]:
    def guard(step: Step) -> None:
        event = _lock_event(step)
        _attachment_ids(step, event)
        for check in checks:
            check(step, event)

    return guard


def _effect(*changes: Callable[[Step, GridEvent], None]) -> Callable[[Step], None]:
    def effect(step: Step) -> None:
        event = _event(step)
        for change in changes:
            change(step, event)
        event.updated_at = step.now
        event.save(update_fields=["level", "closure_level", "duplicate_of", "updated_at"])
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
        _tell_reporters(step, event)

    return effect


# ---------------------------------------------------------------------------------------------- guards


def _record_routing(step: Step, event: GridEvent) -> Any:
    result = route(event.category.code, grid_code=event.grid_id, kind=event.kind)
    decision = do_record_routing(
        result, subject_type=SUBJECT_TYPE, subject_id=str(event.pk), actor=step.actor, now=step.now
    )
    step.inputs["routing_decision"] = decision.pk
    step.inputs["routed_unit"] = result.org_unit.code if result.org_unit is not None else None
    return result


def _route_filing(step: Step, event: GridEvent) -> None:
    _record_routing(step, event)


def _route_dispatch(step: Step, event: GridEvent) -> None:
    result = _record_routing(step, event)
    if not step.inputs.get("assigned_unit"):
        if result.org_unit is None:
            raise DomainError(
                "unrouted",
                "责任清单中没有该分类在此网格的责任单位（已进入未路由队列），请手动选择承办机构。",
                field="assigned_unit",
                status=422,
            )
        step.inputs["assigned_unit"] = result.org_unit.code
    item = step.item
    last = Transition.objects.filter(item=item).order_by("-id").values_list("action", flat=True).first()
    if last == "send_back":
        step.inputs["redispatch"] = True
        previous = item.assigned_unit.code if item.assigned_unit is not None else None
        step.inputs["previous_unit"] = previous
        step.inputs["wrong_dispatch"] = previous is not None and previous != str(step.inputs["assigned_unit"])


def _check_whistle(step: Step, event: GridEvent) -> None:
    """400 unless the trigger is listed and the target unit sits exactly one level above the unit that
    holds the event and covers the event's territory."""
    inputs, item = step.inputs, step.item
    trigger = inputs.get("trigger")
    if trigger not in WHISTLE_TRIGGERS:
        raise DomainError("invalid", f"吹哨事由须为：{'、'.join(WHISTLE_TRIGGERS)}。", field="inputs.trigger")
    current = level_of_code(item.assigned_unit.territory_code) if item.assigned_unit else event.level
    index = LEVEL_ORDER.index(EventLevel(current))
    if index + 1 >= len(LEVEL_ORDER):
        raise Conflict("invalid_transition", "事件已在区级处置，无法再向上吹哨。", field="action")
    target_level = LEVEL_ORDER[index + 1]
    unit = OrgUnit.objects.filter(code=str(inputs.get("assigned_unit") or "")).first()
    if (
        unit is None
        or len(unit.territory_code) != LENGTH_OF_LEVEL[target_level]
        or not event.territory_code.startswith(unit.territory_code)
    ):
        raise DomainError(
            "invalid",
            f"吹哨须报到上一级（{EventLevel(target_level).label}）负责本地的机构。",
            field="inputs.assigned_unit",
        )
    step.scratch["level"] = target_level


def _resolve_original(step: Step, event: GridEvent) -> None:
    text = str(step.inputs.get("original") or "").strip()
    actor = step.actor
    queryset = events_visible_to(actor) if not actor.is_system else GridEvent.objects.all()
    queryset = queryset.select_related("work_item", "category")
    original = (
        queryset.filter(pk=int(text)).first()
        if text.isdigit()
        else queryset.filter(receipt_number=normalize_receipt(text)).first()
    )
    if original is None:
        raise DomainError("invalid", "原件不存在或不在您的管辖范围内。", field="inputs.original")
    if original.pk == event.pk:
        raise DomainError("invalid", "不能认定为自身的重复件。", field="inputs.original")
    if (
        original.duplicate_of_id is not None
        or original.work_item is None
        or original.work_item.state in ("voided", "duplicate")
    ):
        raise DomainError("invalid", "原件本身已作废或是重复件，请选择有效的原件。", field="inputs.original")
    if original.kind != event.kind:
        raise DomainError("invalid", "原件与本件的类型（事件/部件）不同。", field="inputs.original")
    step.inputs["original"] = original.receipt_number
    step.inputs["original_id"] = original.pk
    step.scratch["original"] = original


def _closing_photos(step: Step, event: GridEvent) -> None:
    """结案条件: the standard row may require the handling photo(s) — an uploaded image at the feedback
    stage (for `self_resolve` the photos of this very step count)."""
    standard = event.standard
    if standard is None or not standard.closing_photo_required:
        return
    photos = (
        EventAttachment.objects.filter(
            event=event, stage=AttachmentStage.FEEDBACK, content_type__in=IMAGE_TYPES
        )
        .exclude(file="")
        .exists()
    )
    if not photos:
        raise Unprocessable(
            "photos_required",
            f"结案条件（{standard.closing_condition}）须有处置后的现场照片，请先上传处置照片。",
            field="inputs.attachments",
        )


# ---------------------------------------------------------------------------------------------- effects


def _level_from_unit(step: Step, event: GridEvent) -> None:
    if step.item.assigned_unit is not None:
        event.level = level_of_code(step.item.assigned_unit.territory_code)


def _level_climbed(step: Step, event: GridEvent) -> None:
    event.level = step.scratch["level"]


def _level_grid(step: Step, event: GridEvent) -> None:
    event.level = EventLevel.GRID


def _closure_level(step: Step, event: GridEvent) -> None:
    event.closure_level = event.level


def _link_original(step: Step, event: GridEvent) -> None:
    event.duplicate_of = step.scratch["original"]


def _tell_reporters(step: Step, event: GridEvent) -> None:
    """Tell reporters about endings: the event's own reporter, and every linked duplicate's reporter."""
    from grid.event_actions import notify_reporter

    action, now = step.name, step.now
    if action == "mark_duplicate":
        original = event.duplicate_of
        assert original is not None
        text = f"您反映的问题与受理编号 {original.receipt_number} 为同一问题，将随其一并办理。"
        original_item = original.work_item
        if original_item is not None and original_item.closed_at is not None:
            text += f"该件已{'办结' if original_item.state == 'closed' else '终止'}。"
        notify_reporter(event, kind="grid.event_duplicate", body=text, now=now)
        return
    if action not in ENDING_ACTIONS:
        return
    verb = "已作废" if action == "void" else "已办结"
    body = f"您反映的问题（受理编号 {event.receipt_number}）{verb}，可凭受理编号查询结果并评价。"
    if event.reporter_id != step.actor.pk:
        notify_reporter(event, kind=f"grid.event_{action}", body=body, now=now)
    for duplicate in event.duplicates.select_related("reporter", "category"):
        text = (
            f"您反映的问题（受理编号 {duplicate.receipt_number}）与 {event.receipt_number} 为同一问题，"
            f"该件{verb}，可凭受理编号查询结果并评价。"
        )
        notify_reporter(duplicate, kind=f"grid.event_duplicate_{action}", body=text, now=now)


# ---------------------------------------------------------------------------------------------- binding


def _step(
    guards: Sequence[Callable[[Step, GridEvent], None]] = (),
    effects: Sequence[Callable[[Step, GridEvent], None]] = (),
) -> Handler:
    return Handler(guard=_guard(*guards), effect=_effect(*effects))


HANDLERS: dict[str, Handler] = {
    "self_resolve": _step([_closing_photos], [_level_grid, _closure_level]),
    "file": _step([_route_filing]),
    "void": _step(),
    "mark_duplicate": _step([_resolve_original], [_link_original]),
    "dispatch": _step([_route_dispatch], [_level_from_unit]),
    "sign": _step(),
    "send_back": _step(),
    "whistle": _step([_check_whistle], [_level_climbed]),
    "park": _step(),
    "unpark": _step(),
    "request_extension": _step(),
    "approve_extension": _step(),
    "reject_extension": _step(),
    "supervise": _step(),
    "supervise_sign": _step(),
    "feedback": _step(),
    "verify_fail": _step(),
    "verify_pass": _step([_closing_photos], [_closure_level]),
    "to_enforcement": _step(),
    "enforcement_closed": _step(),
    "enforcement_returned": _step(),
}


def register() -> None:
    bind(PROCESS, HANDLERS, owner="grid")
