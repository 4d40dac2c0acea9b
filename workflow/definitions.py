"""Process definition files: the YAML in each installed app's `processes/`, parsed with line numbers and
validated on load (errors name the file, the line and the problem) into a
`workflow.process_definition.ProcessDefinition`, which a published `ProcessVersion` keeps as JSON.
`load_all` finds and loads every file of the installed apps."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps

from accounts.models import Role
from workflow.process_definition import (
    ACTOR_RULES,
    CLOCK_RULES,
    REASSIGN_RULES,
    STATE_KINDS,
    SYSTEM_ROLE,
    UNITS,
    ActionDef,
    EscalationRule,
    Limit,
    ProcessDefinition,
    Requirements,
    StateDef,
)


class DefinitionError(Exception):
    """A definition that may not be published. The message names the file, the line and the problem."""

    def __init__(self, path: str, line: int | None, problem: str):
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class _LineDict(dict[str, Any]):
    """A mapping that remembers the (1-based) line of itself and of each of its keys."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines: dict[str, int] = {}


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {str(key.value): key.start_mark.line + 1 for key, _value in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Parser:
    def __init__(self, path: str):
        self.path = path

    def fail(self, line: int | None, problem: str) -> DefinitionError:
        return DefinitionError(self.path, line, problem)

    @staticmethod
    def line_of(mapping: Any, key: str | None = None) -> int | None:
        if not isinstance(mapping, _LineDict):
            return None
        if key is not None and key in mapping.key_lines:
            return mapping.key_lines[key]
        return mapping.line

    def mapping(self, value: Any, where: str, line: int | None) -> _LineDict:
        if not isinstance(value, _LineDict):
            raise self.fail(line, f"{where} must be a mapping")
        return value

    def str_list(self, value: Any, where: str, line: int | None) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(line, f"{where} must be a list of names")
        return tuple(value)

    def limit(self, value: Any, where: str, line: int | None) -> Limit | None:
        if value is None:
            return None
        data = self.mapping(value, where, line)
        amount, unit = data.get("amount"), data.get("unit")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise self.fail(self.line_of(data, "amount"), f"{where}: amount must be a non-negative integer")
        if unit not in UNITS:
            raise self.fail(
                self.line_of(data, "unit"), f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}"
            )
        return Limit(amount=amount, unit=unit)

    def roles(self, value: Any, where: str, line: int | None) -> tuple[str, ...]:
        roles = self.str_list(value if value is not None else [], where, line)
        known = set(Role.values)
        for role in roles:
            if role not in known:
                raise self.fail(
                    line, f"{where}: unknown role {role!r} (roles are accounts.models.Role values)"
                )
        return roles

    def parse(self, data: Any) -> ProcessDefinition:
        root = self.mapping(data, "the document", 1)
        name = root.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            raise self.fail(self.line_of(root, "name"), "name must be an identifier (letters, digits, _)")
        states = self.parse_states(root)
        start_data = self.mapping(root.get("start"), "start", self.line_of(root, "start") or root.line)
        start_state = start_data.get("state")
        if start_state not in states:
            raise self.fail(self.line_of(start_data, "state"), f"start: unknown state {start_state!r}")
        if states[start_state].kind != "start":
            raise self.fail(
                self.line_of(start_data, "state"), f"start: state {start_state!r} is not of kind start"
            )
        start_roles = self.roles(start_data.get("roles"), "start.roles", self.line_of(start_data, "roles"))
        if not start_roles:
            raise self.fail(self.line_of(start_data), "start: no role may start this process")
        actions = self.parse_actions(root, states)
        escalations = self.parse_escalations(root, states, actions)
        definition = ProcessDefinition(
            name=name,
            title=str(root.get("title") or name),
            time_limit=self.limit(root.get("time_limit"), "time_limit", self.line_of(root, "time_limit")),
            start_state=start_state,
            start_roles=start_roles,
            states=states,
            actions=actions,
            escalations=escalations,
        )
        self.check_graph(definition, root)
        return definition

    def parse_states(self, root: _LineDict) -> dict[str, StateDef]:
        data = self.mapping(root.get("states"), "states", self.line_of(root, "states") or root.line)
        states: dict[str, StateDef] = {}
        for name, raw in data.items():
            line = self.line_of(data, name)
            spec = self.mapping(raw, f"state {name!r}", line)
            kind = spec.get("kind")
            if kind not in STATE_KINDS:
                raise self.fail(
                    self.line_of(spec, "kind"),
                    f"state {name!r}: kind {kind!r} is not one of {', '.join(STATE_KINDS)}",
                )
            clock = spec.get("clock", kind != "paused")
            if not isinstance(clock, bool):
                raise self.fail(self.line_of(spec, "clock"), f"state {name!r}: clock must be true or false")
            if kind == "paused" and clock:
                raise self.fail(
                    self.line_of(spec, "clock"), f"state {name!r}: a paused state stops the clock"
                )
            limit = self.limit(spec.get("limit"), f"state {name!r} limit", self.line_of(spec, "limit"))
            if limit is not None and (kind == "terminal" or not clock):
                raise self.fail(
                    self.line_of(spec, "limit"), f"state {name!r}: a {kind} state cannot have a limit"
                )
            states[name] = StateDef(
                name=name, kind=kind, title=str(spec.get("title") or name), limit=limit, clock_runs=clock
            )
        starts = [s.name for s in states.values() if s.kind == "start"]
        if len(starts) != 1:
            raise self.fail(
                self.line_of(root, "states"), f"exactly one state must be of kind start (found {len(starts)})"
            )
        return states

    def parse_actions(self, root: _LineDict, states: dict[str, StateDef]) -> dict[str, ActionDef]:
        data = self.mapping(root.get("actions"), "actions", self.line_of(root, "actions") or root.line)
        actions: dict[str, ActionDef] = {}
        for name, raw in data.items():
            line = self.line_of(data, name)
            spec = self.mapping(raw, f"action {name!r}", line)
            sources = self.str_list(spec.get("from"), f"action {name!r}: from", self.line_of(spec, "from"))
            for source in sources:
                if source not in states:
                    raise self.fail(self.line_of(spec, "from"), f"action {name!r}: unknown state {source!r}")
                if states[source].terminal:
                    raise self.fail(
                        self.line_of(spec, "from"),
                        f"action {name!r}: terminal state {source!r} cannot have outgoing actions",
                    )
            target = spec.get("to")
            if target not in states:
                raise self.fail(self.line_of(spec, "to"), f"action {name!r}: unknown state {target!r}")
            roles = self.roles(
                spec.get("roles"), f"action {name!r}: roles", self.line_of(spec, "roles") or line
            )
            if not roles:
                raise self.fail(
                    self.line_of(spec, "roles") or line, f"action {name!r}: no role is allowed to take it"
                )
            actor = spec.get("actor", "jurisdiction")
            if actor not in ACTOR_RULES:
                raise self.fail(
                    self.line_of(spec, "actor"),
                    f"action {name!r}: actor {actor!r} is not one of {', '.join(ACTOR_RULES)}",
                )
            requires_raw = spec.get("requires") or _LineDict()
            requires_data = self.mapping(
                requires_raw, f"action {name!r}: requires", self.line_of(spec, "requires")
            )
            requires = Requirements(
                reason=bool(requires_data.get("reason", False)),
                attachments=bool(requires_data.get("attachments", False)),
                fields=self.str_list(
                    requires_data.get("fields", []),
                    f"action {name!r}: requires.fields",
                    self.line_of(requires_data, "fields"),
                ),
            )
            clock = spec.get("clock", "restart")
            if clock not in CLOCK_RULES:
                raise self.fail(
                    self.line_of(spec, "clock"),
                    f"action {name!r}: clock {clock!r} is not one of {', '.join(CLOCK_RULES)}",
                )
            reassign = spec.get("reassign", "")
            if reassign not in REASSIGN_RULES:
                raise self.fail(
                    self.line_of(spec, "reassign"),
                    f"action {name!r}: reassign {reassign!r} is not one of input, self, parent_unit",
                )
            extend = self.limit(spec.get("extend"), f"action {name!r}: extend", self.line_of(spec, "extend"))
            if extend is not None and clock != "keep":
                raise self.fail(
                    self.line_of(spec, "extend"), f"action {name!r}: an extension must keep the clock"
                )
            optional = spec.get("optional", False)
            if not isinstance(optional, bool):
                raise self.fail(
                    self.line_of(spec, "optional"), f"action {name!r}: optional must be true or false"
                )
            destructive = spec.get("destructive", False)
            if not isinstance(destructive, bool):
                raise self.fail(
                    self.line_of(spec, "destructive"), f"action {name!r}: destructive must be true or false"
                )
            if destructive and not requires.reason:
                raise self.fail(
                    self.line_of(spec, "destructive"),
                    f"action {name!r}: a destructive action requires a reason",
                )
            actions[name] = ActionDef(
                name=name,
                title=str(spec.get("title") or name),
                sources=sources,
                target=target,
                roles=roles,
                actor=actor,
                requires=requires,
                clock=clock,
                extend=extend,
                reassign=reassign,
                optional=optional,
                destructive=destructive,
            )
        return actions

    def parse_escalations(
        self, root: _LineDict, states: dict[str, StateDef], actions: dict[str, ActionDef]
    ) -> tuple[EscalationRule, ...]:
        raw = root.get("escalations") or []
        if not isinstance(raw, list):
            raise self.fail(self.line_of(root, "escalations"), "escalations must be a list")
        rules: list[EscalationRule] = []
        seen: set[str] = set()
        for index, item in enumerate(raw):
            spec = self.mapping(item, f"escalation #{index + 1}", self.line_of(root, "escalations"))
            state = spec.get("state")
            if state not in states:
                raise self.fail(self.line_of(spec, "state"), f"escalation: unknown state {state!r}")
            if state in seen:
                raise self.fail(self.line_of(spec, "state"), f"escalation: state {state!r} has two rules")
            seen.add(state)
            if states[state].limit is None:
                raise self.fail(self.line_of(spec, "state"), f"escalation: state {state!r} has no time limit")
            action_name = spec.get("overdue_action")
            if action_name is not None:
                action = actions.get(action_name)
                if action is None:
                    raise self.fail(
                        self.line_of(spec, "overdue_action"), f"escalation: unknown action {action_name!r}"
                    )
                if state not in action.sources:
                    raise self.fail(
                        self.line_of(spec, "overdue_action"),
                        f"escalation: action {action_name!r} cannot be taken from state {state!r}",
                    )
                if SYSTEM_ROLE not in action.roles:
                    raise self.fail(
                        self.line_of(spec, "overdue_action"),
                        f"escalation: action {action_name!r} does not allow the system role",
                    )
                if action.requires.reason or action.requires.attachments or action.requires.fields:
                    raise self.fail(
                        self.line_of(spec, "overdue_action"),
                        f"escalation: action {action_name!r} requires inputs the system cannot supply",
                    )
            rules.append(
                EscalationRule(state=state, warn=bool(spec.get("warn", True)), overdue_action=action_name)
            )
        return tuple(rules)

    def check_graph(self, definition: ProcessDefinition, root: _LineDict) -> None:
        reachable = {definition.start_state}
        queue = deque([definition.start_state])
        while queue:
            state = queue.popleft()
            for action in definition.actions_from(state):
                if action.target not in reachable:
                    reachable.add(action.target)
                    queue.append(action.target)
        states_data = root["states"]
        for name in definition.states:
            if name not in reachable:
                raise self.fail(
                    self.line_of(states_data, name), f"state {name!r} is unreachable from the start state"
                )
        for state_def in definition.states.values():
            if state_def.kind != "terminal" and not definition.actions_from(state_def.name):
                raise self.fail(
                    self.line_of(states_data, state_def.name),
                    f"state {state_def.name!r} is not terminal but has no outgoing action",
                )


def parse_definition(text: str, path: str = "<string>") -> ProcessDefinition:
    """Parse and validate one YAML definition; raises DefinitionError naming file, line and problem."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DefinitionError(path, line, f"invalid YAML: {exc.problem}") from exc
    return _Parser(path).parse(data)


def load_file(path: Path) -> ProcessDefinition:
    return parse_definition(path.read_text(encoding="utf-8"), str(path))


def discover_files() -> list[Path]:
    """Every `processes/*.yaml` of every installed app, in app order."""
    files: list[Path] = []
    for config in apps.get_app_configs():
        folder = Path(config.path) / "processes"
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.yaml")))
    return files


def load_all() -> list[tuple[Path, ProcessDefinition]]:
    loaded: list[tuple[Path, ProcessDefinition]] = []
    seen: dict[str, Path] = {}
    for path in discover_files():
        definition = load_file(path)
        if definition.name in seen:
            raise DefinitionError(
                str(path), 1, f"process name {definition.name!r} is also defined in {seen[definition.name]}"
            )
        seen[definition.name] = path
        loaded.append((path, definition))
    return loaded
