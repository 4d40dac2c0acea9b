"""The rules of each step of process `command_warning` (command/processes/), bound to the engine in
`CommandConfig.ready()` (see `workflow.handlers`): `transition()` runs them whichever door moved the
warning — `command.warnings.actions.do_act_on_warning` (the warnings API, the desk panel and page), the
generic work-item endpoint, the sweeper's 督办.

- Every step locks the warning of the item (409 `no_subject` without one).
- 处置 (`handle`) states the measures taken (`inputs.measures`, 2–2000 characters), kept on the warning.
- 办结 / 误报 (`close`, `dismiss`) mark the warning finished, so its situation may be raised again.
- 自动解除 (`withdraw`, the system only: `evaluate_warnings` when the situation has cleared) marks it
  finished too; the engine tells the owner unit, the reason stays in the history.
- 督办 by a person tells the owner unit (the sweeper's is told by the engine itself).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.errors import Conflict, DomainError
from workflow.handlers import Handler, Step, bind
from workflow.notices import notify_item

from .models import EarlyWarning
from .rules import WARNING_PROCESS

MEASURES_MAX = 2000


def _lock(step: Step) -> None:
    warning = EarlyWarning.objects.select_for_update(of=("self",)).filter(work_item_id=step.item.pk).first()
    if warning is None:
        raise Conflict("no_subject", "该办件没有对应的预警，不能按预警流程办理。", field="action")
    step.scratch["warning"] = warning


def _check_measures(step: Step) -> None:
    _lock(step)
    measures = step.inputs.get("measures")
    if measures is None or (isinstance(measures, str) and not measures.strip()):
        raise DomainError("required", "请填写处置措施。", field="inputs.measures")
    if not isinstance(measures, str) or not 2 <= len(measures.strip()) <= MEASURES_MAX:
        raise DomainError("invalid", f"处置措施应为 2–{MEASURES_MAX} 个字符的文字。", field="inputs.measures")
    step.inputs["measures"] = measures.strip()


def _keep_measures(step: Step) -> None:
    warning: EarlyWarning = step.scratch["warning"]
    warning.measures = step.inputs["measures"]
    warning.save(update_fields=["measures"])


def _finish(step: Step) -> None:
    warning: EarlyWarning = step.scratch["warning"]
    warning.finished_at = step.now
    warning.save(update_fields=["finished_at"])


def _tell_owner(step: Step) -> None:
    if not step.actor.is_system:
        notify_item(
            step.item,
            kind="command.warning_supervised",
            body=f"督办：{step.item.title}",
            now=step.now,
            exclude=step.actor.pk,
        )


HANDLERS: dict[str, Handler] = {
    "acknowledge": Handler(guard=_lock),
    "handle": Handler(guard=_check_measures, effect=_keep_measures),
    "close": Handler(guard=_lock, effect=_finish),
    "dismiss": Handler(guard=_lock, effect=_finish),
    "withdraw": Handler(guard=_lock, effect=_finish),
    "supervise": Handler(guard=_lock, effect=_tell_owner),
    "supervise_handling": Handler(guard=_lock, effect=_tell_owner),
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("预警规则的定时评估（系统发起，evaluate_warnings）")


def register() -> None:
    bind(WARNING_PROCESS, HANDLERS, owner="command", start_door=START_DOOR)
