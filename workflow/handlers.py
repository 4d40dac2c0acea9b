"""The binding of process actions to their handlers: one rule path for every door.

Each action of a process definition is bound to exactly one `Handler` by the app that owns the process
(its `AppConfig.ready()` calls `bind(...)`): the stream's rules for that step live there and nowhere
else. `workflow.engine.transition()` looks the handler up by (process name, action name) and runs it
whichever door called it — a stream's API or pages, the generic work-item endpoint, bulk paths, the
sweeper — and refuses an action that has none (409 `unbound_action`).

The binding also says who starts the process's items (`start_door`): a stream whose handlers need its own
record behind every item starts them itself, in its start action, and the generic create door
(`POST /api/v1/work-items/`) refuses such a process (`refuse_generic_start`, 422 `started_by_stream`);
only a process with no stream record behind it (the engine's own sample_complaint) starts there.

The arrow points down: the streams import this module and register; the engine never imports a stream.

A handler has three optional parts, run by `transition()` in this order inside its transaction, with
the work item locked:
- `actors(step)`: who may take the step beyond the definition's roles and actor rule (team members, the
  district bureau and never the centre, …). Raises `PermissionRefused("not_allowed")`. Also asked by
  `available_actions()`, so pages and APIs only offer what would be accepted — it must not read
  `step.inputs`.
- `guard(step)`: the step's preconditions and the preparation of its inputs (it may lock the stream's
  subject, validate and complete `step.inputs`, and keep what the effect needs in `step.scratch`).
  Raises a DomainError to refuse; nothing has been written by the engine yet.
- `effect(step)`: what the step writes in the stream (outcome fields, closure level, records, audit
  rows, notifications), after the state moved and the Transition row was written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.errors import Conflict, PermissionRefused, Unprocessable

if TYPE_CHECKING:
    from accounts.models import User
    from workflow.models import WorkItem
    from workflow.process_definition import ActionDef, ProcessDefinition


@dataclass
class Step:
    """One action being taken: what the handler sees. `item` is the locked work item (before the move
    in `actors`/`guard`, after it in `effect`); `door` carries what a stream's own door parsed that has
    no place in the recorded inputs (already-checked uploads); `scratch` is the handler's own room
    between its guard and its effect; `limits` ({state: {amount, unit}}) is what a guard sets for the item's
    own step limits (merged like `transition(limits=...)`, e.g. a new category's handling limit)."""

    item: WorkItem
    definition: ProcessDefinition
    action: ActionDef
    actor: User
    now: datetime
    inputs: dict[str, Any]
    reason: str = ""
    from_state: str = ""
    door: Mapping[str, Any] = field(default_factory=dict)
    scratch: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.action.name


StepCheck = Callable[[Step], None]


@dataclass(frozen=True)
class Handler:
    """The rules of one process action. A handler with no parts is an explicit statement that the
    step has no rules beyond the definition's (e.g. 督办 by the sweeper)."""

    actors: StepCheck | None = None
    guard: StepCheck | None = None
    effect: StepCheck | None = None


PLAIN = Handler()


def not_the_requester(requester_of: Callable[[Step], int | None]) -> StepCheck:
    """Separation of duties (职责分离), one rule for every stream that binds it: whoever asked for the step's
    subject (a payment, a data grant, an export) never decides it, whatever roles they hold. An `actors`
    check, so pages and APIs do not offer the decision to the requester either. `requester_of` reads the
    requester's user id from the stream's record (None: no record; the guard then refuses `no_subject`);
    it must not lock, since `available_actions` asks outside any transaction."""

    def check(step: Step) -> None:
        if requester_of(step) == step.actor.pk:
            raise PermissionRefused("not_allowed", _("不能审批本人提出的申请。"), field="action")

    return check


_BOUND: dict[tuple[str, str], tuple[str, Handler]] = {}
# process → where its owning stream starts its items (a lazy, translated phrase naming the door); None:
# the generic create door may start it.
_START_DOORS: dict[str, str | Promise | None] = {}


def bind(
    process: str, handlers: Mapping[str, Handler], *, owner: str, start_door: str | Promise | None
) -> None:
    """Register `handlers` ({action name: Handler}) for `process`, owned by the app `owner`. Binding an
    action twice from two owners is a programming error (two rule paths); the same owner may re-bind
    (Django may run `ready()` twice in tests).

    `start_door` names where the stream starts the process's items — its own start action, which writes
    the stream's record beside each item (an endpoint or page, or the job that raises them) — and is
    what the generic create door's refusal tells the client. None only for a process with no stream
    record behind it: the generic create door may start it. Every binding says which."""
    for action, handler in handlers.items():
        key = (process, action)
        existing = _BOUND.get(key)
        if existing is not None and existing[0] != owner:
            raise RuntimeError(f"{process}.{action} is already bound by {existing[0]}")
        _BOUND[key] = (owner, handler)
    _START_DOORS[process] = start_door


def handler_for(process: str, action: str) -> Handler | None:
    bound = _BOUND.get((process, action))
    return bound[1] if bound is not None else None


def start_door(process: str) -> str | Promise | None:
    """Where the stream that owns `process` starts its items; None when the generic create door may."""
    return _START_DOORS.get(process)


def refuse_generic_start(process: str) -> None:
    """The generic create door (`POST /api/v1/work-items/`) starts no item of a stream's process: such an
    item would have no stream record behind it, so every action on it would be refused (409 `no_subject`)
    and it would wait in a queue for ever. 422 `started_by_stream` (field `process`), naming the stream's
    door; a process no binding names passes (the engine answers `unknown_process`)."""
    door = start_door(process)
    if door is not None:
        raise Unprocessable(
            "started_by_stream",
            _("流程 %(process)s 的办件只能由其业务入口发起：%(door)s。通用办件接口不能发起。")
            % {"process": process, "door": door},
            field="process",
        )


def bound_handler(definition: ProcessDefinition, action: ActionDef) -> Handler:
    """The handler bound to `action` (workflow.handlers); 409 `unbound_action` when there is none — a
    step without its stream's rules is never taken."""
    handler = handler_for(definition.name, action.name)
    if handler is None:
        raise Conflict(
            "unbound_action",
            f"动作“{action.title}”（{definition.name}.{action.name}）没有绑定处理规则，不能执行。",
            field="action",
        )
    return handler


def bindings() -> dict[tuple[str, str], str]:
    """Every bound (process, action) → owning app (the consistency test reads it)."""
    return {key: owner for key, (owner, _handler) in _BOUND.items()}


def binding_problems(definitions: Mapping[str, tuple[str, ProcessDefinition]]) -> list[str]:
    """What is wrong between the definitions ({process: (owning app, definition)}) and the bindings: an
    action with no handler, a handler for a process or action no definition has, a handler bound by
    another app than the one whose `processes/` holds the definition. Empty when all is well (the
    `workflow.E001` check and tests/test_bindings.py read it)."""
    problems = []
    for process, (owner, definition) in sorted(definitions.items()):
        for action in sorted(definition.actions):
            bound = _BOUND.get((process, action))
            if bound is None:
                problems.append(f"{process}.{action}: no handler is bound (the engine refuses the action)")
            elif bound[0] != owner:
                problems.append(
                    f"{process}.{action}: bound by {bound[0]}, but the process belongs to {owner}"
                )
    for (process, action), (owner, _handler) in sorted(_BOUND.items()):
        if process not in definitions:
            problems.append(
                f"{process}.{action}: bound by {owner}, but no definition names process {process}"
            )
        elif action not in definitions[process][1].actions:
            problems.append(f"{process}.{action}: bound by {owner}, but {process} has no action {action}")
    return problems


def definitions_on_disk() -> dict[str, tuple[str, ProcessDefinition]]:
    """Every `processes/*.yaml` of every installed app: {process: (app label, definition)}."""
    from django.apps import apps

    from workflow.definitions import load_file

    found: dict[str, tuple[str, ProcessDefinition]] = {}
    for config in apps.get_app_configs():
        for path in sorted((Path(config.path) / "processes").glob("*.yaml")):
            definition = load_file(path)
            found[definition.name] = (config.label, definition)
    return found
