"""改类 (`reclassify`): the dispatcher puts a report under the right minor class — a resident's report taken
without one (其他事件, `attributes.unclassified`) or one filed under the wrong class (often after an agency's
退回). Bound to `grid_event`'s `reclassify` action by `grid.events.steps`, so every door runs these rules.

The guard checks the new class (an active minor class of the event's own kind; 400 `invalid_category` on
`inputs.category_code` otherwise, `required` when missing, `unchanged` when it is the current class of a
classified event), pins the current standard's row for the event's area class, sets the item's handling
limit from it (`step.limits`, the engine merges it into `limit_overrides`) and its priority (urgent rows),
and routes again by the new class (a routing record: the dispatch queue pre-selects the new unit).
The effect writes the class, the standard row, the unclassified mark removed and, when the title was the
generated "<小类>（地点）", the title with the new class name; an audit row `grid.event_reclassify` keeps
before and after. What the resident wrote (description, name, public consent) is never touched."""

from __future__ import annotations

from typing import Any

from audit.actions import record_event
from core.errors import DomainError, NotFound
from grid.events.dispatch import record_routing
from grid.models import Category, GridEvent
from grid.standards.selectors import limit_for
from workflow.handlers import Step
from workflow.models import Priority

FIELD = "inputs.category_code"


def _new_category(event: GridEvent, code: str) -> Category:
    category = (
        Category.objects.select_related("parent")
        .filter(kind=event.kind, code=code, active=True, parent__isnull=False)
        .first()
    )
    if category is None:
        raise DomainError(
            "invalid_category",
            f"“{code}”不是现行的{'事件' if event.kind == 'event' else '部件'}小类。",
            field=FIELD,
        )
    return category


def generated_title(event: GridEvent, old: Category, new: Category) -> str | None:
    """The title with the new class name when it was the one generated at reporting ("<小类>（地点）"),
    else None (a title someone wrote stays as it is)."""
    prefix = f"{old.name}（"
    if event.title.startswith(prefix) and event.title.endswith("）"):
        return f"{new.name}（{event.title[len(prefix) :]}"[:200]
    return None


def check_reclassify(step: Step, event: GridEvent) -> None:
    code = str(step.inputs.get("category_code") or "").strip()
    if not code:
        raise DomainError("required", "请选择新的问题分类。", field=FIELD)
    old = event.category
    category = _new_category(event, code)
    unclassified = bool((event.attributes or {}).get("unclassified"))
    if category.pk == old.pk and not unclassified:
        raise DomainError("unchanged", f"事件已是“{category.name}”分类。", field=FIELD)
    try:
        amount, unit, standard = limit_for(category.code, event.grid.area_class, kind=event.kind)
    except NotFound as error:
        raise DomainError(
            "invalid_category", f"现行立案标准中没有“{category.name}”的立案条件。", field=FIELD
        ) from error
    step.limits = {"handling": {"amount": amount, "unit": unit}}
    step.item.priority = Priority.URGENT if standard.urgent else Priority.NORMAL
    title = generated_title(event, old, category)
    if title is not None:
        step.item.title = title
    step.scratch["reclassify"] = {"old": old, "category": category, "standard": standard, "title": title}
    step.inputs["category_code"] = category.code
    step.inputs["previous_category"] = old.code
    # Routing reads the event's class: the new one, saved by the effect in the same transaction.
    event.category = category
    record_routing(step, event)


def reclassify_event(step: Step, event: GridEvent) -> None:
    change: dict[str, Any] = step.scratch["reclassify"]
    old, category, standard, title = change["old"], change["category"], change["standard"], change["title"]
    before = {
        "category": old.code,
        "standard": event.standard_id,
        "title": event.title,
        "unclassified": bool((event.attributes or {}).get("unclassified")),
    }
    event.category = category
    event.standard = standard
    event.attributes = {k: v for k, v in (event.attributes or {}).items() if k != "unclassified"}
    if title is not None:
        event.title = title
    event.save(update_fields=["category", "standard", "attributes", "title"])
    record_event(
        actor=step.actor,
        action="grid.event_reclassify",
        subject=event,
        territory_code=event.territory_code,
        before=before,
        after={
            "category": category.code,
            "standard": standard.pk,
            "title": event.title,
            "unclassified": False,
            "limits": step.limits,
            "priority": step.item.priority,
            "routed_unit": step.inputs.get("routed_unit"),
        },
        now=step.now,
    )
