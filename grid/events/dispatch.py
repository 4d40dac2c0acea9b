"""立案、派遣、吹哨、认定重复: the rules of the steps that route an event (grid/processes/grid_event.yaml),
used by the bindings in `grid.events.steps`. Routing is recorded at `file` and at every `dispatch` (the
unrouted queue reads it); a whistle climbs exactly one level; a duplicate links its original."""

from __future__ import annotations

from typing import Any

from accounts.models import OrgUnit
from core.errors import Conflict, DomainError
from grid.events.selectors import SUBJECT_TYPE, events_visible_to, normalize_receipt
from grid.models import EventLevel, GridEvent
from grid.standards.actions import do_record_routing
from grid.standards.routing import route
from workflow.handlers import Step
from workflow.models import Transition

WHISTLE_TRIGGERS = ("beyond_powers", "needs_enforcement", "emergency", "residents_unsolved")
# Territory-code length → level, and the order a whistle climbs.
LEVEL_OF_LENGTH = {15: EventLevel.GRID, 12: EventLevel.VILLAGE, 9: EventLevel.TOWN, 6: EventLevel.DISTRICT}
LEVEL_ORDER = [EventLevel.GRID, EventLevel.VILLAGE, EventLevel.TOWN, EventLevel.DISTRICT]
LENGTH_OF_LEVEL = {level: length for length, level in LEVEL_OF_LENGTH.items()}


def level_of_code(code: str) -> str:
    level = LEVEL_OF_LENGTH.get(len(code))
    if level is None:
        raise DomainError("invalid", f"无法判断代码 {code} 的层级。", field="inputs.assigned_unit")
    return level


def record_routing(step: Step, event: GridEvent) -> Any:
    result = route(event.category.code, grid_code=event.grid_id, kind=event.kind)
    decision = do_record_routing(
        result, subject_type=SUBJECT_TYPE, subject_id=str(event.pk), actor=step.actor, now=step.now
    )
    step.inputs["routing_decision"] = decision.pk
    step.inputs["routed_unit"] = result.org_unit.code if result.org_unit is not None else None
    return result


def route_filing(step: Step, event: GridEvent) -> None:
    record_routing(step, event)


def route_dispatch(step: Step, event: GridEvent) -> None:
    result = record_routing(step, event)
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


def check_whistle(step: Step, event: GridEvent) -> None:
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


def resolve_original(step: Step, event: GridEvent) -> None:
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


def level_from_unit(step: Step, event: GridEvent) -> None:
    if step.item.assigned_unit is not None:
        event.level = level_of_code(step.item.assigned_unit.territory_code)


def level_climbed(step: Step, event: GridEvent) -> None:
    event.level = step.scratch["level"]


def link_original(step: Step, event: GridEvent) -> None:
    event.duplicate_of = step.scratch["original"]
