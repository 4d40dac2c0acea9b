"""A process definition in memory: its states, actions (and what each requires) and escalation rules;
the one action a page opens first; and the definition's stored JSON form both ways (`as_json`, what a
`ProcessVersion` keeps, and `from_json`, cached per published version: what the engine reads). The YAML
files it comes from are parsed and validated by `workflow.definitions`.

A definition (see workflow/processes/sample_complaint.yaml for a commented example):

    name, title, time_limit {amount, unit}
    start: {state, roles}
    states: {name: {kind: start|active|paused|terminal, title, limit {amount, unit}, clock: true|false}}
    actions: {name: {title, from [...], to, roles [...], actor: assignee|unit|jurisdiction,
                     requires {reason, attachments, fields [...]}, clock: restart|keep,
                     extend {amount, unit}, reassign: input|self|parent_unit, optional: true|false,
                     destructive: true|false}}
    escalations: [{state, warn: true|false, overdue_action}]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Role

UNITS = ("work_hours", "work_days", "natural_days")
STATE_KINDS = ("start", "active", "paused", "terminal")
ACTOR_RULES = ("assignee", "unit", "jurisdiction")
CLOCK_RULES = ("restart", "keep")
REASSIGN_RULES = ("", "input", "self", "parent_unit")
# Names an action may list under requires.fields that the engine itself understands.
ASSIGNMENT_FIELDS = ("assigned_unit", "assignee")
SYSTEM_ROLE = Role.SYSTEM.value
# Share of the step limit at which the light turns yellow and the warning fires.
WARN_SHARE = 0.8


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str

    def as_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "unit": self.unit}


@dataclass(frozen=True)
class StateDef:
    name: str
    kind: str
    title: str
    limit: Limit | None
    clock_runs: bool

    @property
    def terminal(self) -> bool:
        return self.kind == "terminal"


@dataclass(frozen=True)
class Requirements:
    reason: bool = False
    attachments: bool = False
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionDef:
    name: str
    title: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    actor: str
    requires: Requirements
    clock: str
    extend: Limit | None
    reassign: str
    # An action nobody has to take (督办, 挂账, 自行处置): its source state is not "waiting" for its roles.
    optional: bool = False
    # An action that ends or turns back the work (作废, 不予受理, 退回): shown apart from the main action and
    # confirmed with a reason (the parser insists the action requires one).
    destructive: bool = False


def main_action(actions: list[ActionDef]) -> ActionDef | None:
    """The step a page opens first among the actions offered: the first one the work waits for (neither
    optional like 改类 or 督办 nor destructive like 作废), else the first that is not destructive."""
    waited = [a for a in actions if not a.optional and not a.destructive]
    return next(iter(waited or [a for a in actions if not a.destructive]), None)


@dataclass(frozen=True)
class EscalationRule:
    state: str
    warn: bool
    overdue_action: str | None


@dataclass(frozen=True)
class ProcessDefinition:
    name: str
    title: str
    time_limit: Limit | None
    start_state: str
    start_roles: tuple[str, ...]
    states: dict[str, StateDef]
    actions: dict[str, ActionDef]
    escalations: tuple[EscalationRule, ...] = field(default=())

    def actions_from(self, state: str) -> list[ActionDef]:
        return [action for action in self.actions.values() if state in action.sources]

    def rule_for(self, state: str) -> EscalationRule | None:
        return next((rule for rule in self.escalations if rule.state == state), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "name": self.name,
            "title": self.title,
            "time_limit": self.time_limit.as_json() if self.time_limit else None,
            "start": {"state": self.start_state, "roles": list(self.start_roles)},
            "states": {
                s.name: {
                    "kind": s.kind,
                    "title": s.title,
                    "limit": s.limit.as_json() if s.limit else None,
                    "clock": s.clock_runs,
                }
                for s in self.states.values()
            },
            "actions": {
                a.name: {
                    "title": a.title,
                    "from": list(a.sources),
                    "to": a.target,
                    "roles": list(a.roles),
                    "actor": a.actor,
                    "requires": {
                        "reason": a.requires.reason,
                        "attachments": a.requires.attachments,
                        "fields": list(a.requires.fields),
                    },
                    "clock": a.clock,
                    "extend": a.extend.as_json() if a.extend else None,
                    "reassign": a.reassign,
                    # Only when set: the content hash of definitions without it stays as it was.
                    **({"optional": True} if a.optional else {}),
                    **({"destructive": True} if a.destructive else {}),
                }
                for a in self.actions.values()
            },
            "escalations": [
                {"state": r.state, "warn": r.warn, "overdue_action": r.overdue_action}
                for r in self.escalations
            ],
            # The written order of states and actions (the first action is the main one on a page):
            # PostgreSQL's jsonb keeps object keys in its own order, so the order is kept as lists.
            "order": {"states": list(self.states), "actions": list(self.actions)},
        }

    def content_hash(self) -> str:
        """Over the content only: the order is presentation, and versions published before it was
        stored keep their hash."""
        content = {key: value for key, value in self.as_json().items() if key != "order"}
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------- from JSON


def _limit_from(data: dict[str, Any] | None) -> Limit | None:
    return Limit(amount=int(data["amount"]), unit=str(data["unit"])) if data else None


def _in_order(mapping: dict[str, Any], order: list[str] | None) -> dict[str, Any]:
    """`mapping` in the stored written order; names the order does not list keep their place after it."""
    if not order:
        return mapping
    listed = [name for name in order if name in mapping]
    return {name: mapping[name] for name in [*listed, *(n for n in mapping if n not in set(listed))]}


def from_json(data: dict[str, Any]) -> ProcessDefinition:
    """Rebuild a definition from what a ProcessVersion stored (format 1), states and actions in their
    written order."""
    if data.get("format") != 1:
        raise ValueError(f"unknown definition format {data.get('format')!r}")
    order = data.get("order") or {}
    return ProcessDefinition(
        name=data["name"],
        title=data["title"],
        time_limit=_limit_from(data["time_limit"]),
        start_state=data["start"]["state"],
        start_roles=tuple(data["start"]["roles"]),
        states={
            name: StateDef(
                name=name,
                kind=s["kind"],
                title=s["title"],
                limit=_limit_from(s["limit"]),
                clock_runs=s["clock"],
            )
            for name, s in _in_order(data["states"], order.get("states")).items()
        },
        actions={
            name: ActionDef(
                name=name,
                title=a["title"],
                sources=tuple(a["from"]),
                target=a["to"],
                roles=tuple(a["roles"]),
                actor=a["actor"],
                requires=Requirements(
                    reason=a["requires"]["reason"],
                    attachments=a["requires"]["attachments"],
                    fields=tuple(a["requires"]["fields"]),
                ),
                clock=a["clock"],
                extend=_limit_from(a["extend"]),
                reassign=a["reassign"],
                optional=a.get("optional", False),
                destructive=a.get("destructive", False),
            )
            for name, a in _in_order(data["actions"], order.get("actions")).items()
        },
        escalations=tuple(
            EscalationRule(state=r["state"], warn=r["warn"], overdue_action=r["overdue_action"])
            for r in data["escalations"]
        ),
    )


_DEFINITIONS: dict[tuple[int, str], ProcessDefinition] = {}


def definition_of_version(version_id: int, content_hash: str, data: dict[str, Any]) -> ProcessDefinition:
    """Published versions never change, so the parsed definition is cached per (id, hash)."""
    key = (version_id, content_hash)
    definition = _DEFINITIONS.get(key)
    if definition is None:
        definition = from_json(data)
        _DEFINITIONS[key] = definition
    return definition
