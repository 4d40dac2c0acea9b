"""The two-door walk (issue 12): two identical subjects of one process are walked in lockstep, one through
the stream's own door (its `do_*` action function, what its API and pages call), the other through the
generic door (`POST /api/v1/work-items/{id}/transitions/`; for steps only the system may take, the
engine's `transition()` as the sweeper calls it). After every step the two must show the same result:
the work item (state, unit, assignee, deadlines, pause), the stream's records (a snapshot each stream
defines: routing decisions, photos, outcome and completion fields, closure level, exclusions, documents,
record entries), and what the step wrote — the audit rows' actions and the notifications' kinds.

Each stream's test gives its routes (`Move` lists from the start state) and `uncovered()` checks that
the routes take every action of the published definition, so an action added without a walk fails. A
move that must be refused is taken through both doors by `Streams.refuse` / `refused_alike`: the same
status, code, field and message at both, and nothing moved.
Every published definition names its walk in `WALKS`; tests/test_two_door_walks.py fails on a definition
with no walk there, and on a walk whose routes miss an action of its definition.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from core.errors import DomainError
from outbox.models import OutboxMessage
from workflow.engine import transition
from workflow.models import WorkItem
from workflow.process_definition import ProcessDefinition
from workflow.publishing import current_version, definition_for
from workflow.start import do_start_item


@dataclass(frozen=True)
class Move:
    """One step: the action, who takes it (a persona key), its reason and inputs, and when (default: a
    few minutes after the previous step)."""

    action: str
    actor: str
    reason: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None


def item_snapshot(item: WorkItem) -> dict[str, Any]:
    item.refresh_from_db()
    return {
        "state": item.state,
        "assigned_unit": item.assigned_unit_id,
        "assignee": item.assignee_id,
        "step_due_at": item.step_due_at,
        "due_at": item.due_at,
        "paused": item.paused_at is not None,
        "closed": item.closed_at is not None,
        "version": item.version,
        "last_inputs": sorted((item.transitions.order_by("-id").first().inputs or {}).keys()),  # type: ignore[union-attr]
    }


def _marks() -> tuple[int, int]:
    audit = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    outbox = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return audit, outbox


def _written(since: tuple[int, int]) -> dict[str, Counter[str]]:
    # A page door logs its user in first (`accounts.login`): a session's row, not the step's.
    rows = AuditEvent.objects.filter(id__gt=since[0]).exclude(action="accounts.login")
    audit = Counter(rows.values_list("action", flat=True))
    outbox = Counter(OutboxMessage.objects.filter(id__gt=since[1]).values_list("kind", flat=True))
    return {"audit": audit, "notifications": outbox}


def generic_door(item: WorkItem, move: Move, actor: User, now: datetime) -> None:
    """The generic work-item endpoint (or, for the system actor, the engine as the sweeper calls it)."""
    if actor.is_system:
        transition(item, move.action, actor=actor, now=now, reason=move.reason, inputs=dict(move.inputs))
        return
    client = APIClient()
    client.force_authenticate(actor)
    with time_machine.travel(now, tick=False):
        response = client.post(
            f"/api/v1/work-items/{item.pk}/transitions/",
            {"action": move.action, "reason": move.reason, "inputs": move.inputs},
            format="json",
        )
    assert response.status_code == 200, (move.action, response.content.decode())


@dataclass(frozen=True)
class Refusal:
    """What a door answered a refused move: the HTTP status and the error's code, field and message."""

    status: int
    code: str
    field: str | None
    message: str


def stream_refusal(take: Callable[[], Any]) -> Refusal:
    """The refusal of a stream's door (`take` calls its `do_*` action); fails when it was not refused."""
    with pytest.raises(DomainError) as caught:
        take()
    error = caught.value
    return Refusal(error.status, error.code, error.field, error.message)


def generic_refusal(item: WorkItem, move: Move, actor: User, now: datetime) -> Refusal:
    """The refusal of the generic work-item endpoint; fails when it was not refused."""
    client = APIClient()
    client.force_authenticate(actor)
    with time_machine.travel(now, tick=False):
        response = client.post(
            f"/api/v1/work-items/{item.pk}/transitions/",
            {"action": move.action, "reason": move.reason, "inputs": move.inputs},
            format="json",
        )
    assert response.status_code != 200, (move.action, "not refused at the generic door")
    [error] = response.json()["errors"]
    return Refusal(response.status_code, error["code"], error["field"], error["message"])


def refused_alike(take: Callable[[], Any], item: WorkItem, move: Move, actor: User, now: datetime) -> Refusal:
    """Take a move that must be refused through the stream's door (`take`) and the generic door, on the
    same item: both refuse with the same status, code, field and message, and the item has not moved.
    Returns the refusal, for the test to say which it expected."""
    before = item_snapshot(item)
    at_stream = stream_refusal(take)
    at_generic = generic_refusal(item, move, actor, now)
    assert at_stream == at_generic, (move.action, at_stream, at_generic)
    assert item_snapshot(item) == before
    return at_stream


@dataclass
class Streams:
    """A stream's side of the walk: how to make a subject, take a move through its door, find the work
    item, and snapshot its records."""

    process: str
    people: dict[str, Any]
    make: Callable[[datetime], Any]
    stream_door: Callable[[Any, Move, User, datetime], None]
    item_of: Callable[[Any], WorkItem]
    records: Callable[[Any], dict[str, Any]]
    # Per-subject inputs (e.g. the ids of this subject's own photos), applied for both doors alike.
    resolve: Callable[[Any, Move], Move] = lambda subject, move: move
    step: timedelta = timedelta(minutes=10)

    def walk(self, moves: Sequence[Move], start: datetime) -> list[str]:
        """Walk `moves` on two fresh subjects; returns the actions taken. Fails at the first step whose
        results differ between the doors."""
        now = start
        a, b = self.make(now), self.make(now)
        taken = []
        for move in moves:
            now = move.at or now + self.step
            actor = self.people[move.actor]
            before = _marks()
            self.stream_door(a, self.resolve(a, move), actor, now)
            between = _marks()
            written_a = _written(before)
            generic_door(self.item_of(b), self.resolve(b, move), actor, now)
            written_b = _written(between)
            seen_a = {"item": item_snapshot(self.item_of(a)), "records": self.records(a), **written_a}
            seen_b = {"item": item_snapshot(self.item_of(b)), "records": self.records(b), **written_b}
            assert seen_a == seen_b, (move.action, seen_a, seen_b)
            taken.append(move.action)
        return taken

    def refuse(self, subject: Any, move: Move, now: datetime) -> Refusal:
        """`move` on `subject` refused alike at the stream's door and the generic door (`refused_alike`)."""
        actor, move = self.people[move.actor], self.resolve(subject, move)
        return refused_alike(
            lambda: self.stream_door(subject, move, actor, now), self.item_of(subject), move, actor, now
        )

    def actions(self, now: datetime) -> set[str]:
        version = current_version(self.process, now=now)
        item = WorkItem(process_version=version)
        return set(definition_for(item).actions)


def act_without_subject(
    process: str, action: str, *, starter: User, actor: User, territory_code: str, now: datetime
) -> Any:
    """Start an item of `process` with no stream subject behind it (through the engine: the generic create
    door refuses a stream's process, 422 `started_by_stream`, but items made before it did may remain),
    then take `action` on it through the generic door: the answer (a stream's handler refuses, 409
    no_subject)."""
    item = do_start_item(process, actor=starter, now=now, title="无对应对象", territory_code=territory_code)
    client = APIClient()
    client.force_authenticate(actor)
    with time_machine.travel(now, tick=False):
        return client.post(
            f"/api/v1/work-items/{item.pk}/transitions/",
            {"action": action, "reason": "核对"},
            format="json",
        )


def uncovered(routes: Sequence[Sequence[Move]], actions: set[str]) -> set[str]:
    """The definition's actions no route takes."""
    return actions - {m.action for route in routes for m in route}


def present(value: Any) -> bool:
    """For fields that differ between two subjects by nature (serial numbers, ids): set or not."""
    return value not in (None, "")


# ------------------------------------------------------------------------------------- the walks, listed


@dataclass(frozen=True)
class Walk:
    """Where a process is walked through both doors: the test module, and the names of its module-level
    routes (a mapping of named routes, or one route) that its tests walk."""

    module: str
    routes: tuple[str, ...] = ("ROUTES",)


# Every published process definition (`processes/*.yaml` of any app) and its walk. A static table, so
# the check needs no other test to have run first (pytest-xdist spreads tests over processes).
WALKS: dict[str, Walk] = {
    "approval_application": Walk("approvals.tests.test_two_doors", ("ROUTES", "IMMEDIATE")),
    "asset_change": Walk("territorial.tests.test_asset_change_two_doors"),
    "case_ordinary": Walk("enforcement.tests.test_two_doors", ("ORDINARY_ROUTES",)),
    "case_summary": Walk("enforcement.tests.test_two_doors", ("SUMMARY_ROUTES",)),
    "command_warning": Walk("command.tests.warnings.test_two_doors"),
    "dataset_grant": Walk("datashare.tests.test_dataset_grant_two_doors"),
    "fund_payment": Walk("territorial.tests.test_fund_payment_two_doors"),
    "grid_event": Walk("grid.tests.test_two_doors", ("ROUTES", "DUPLICATE")),
    "party_service_need": Walk("tests.test_party_need_two_doors"),
    "people_export": Walk("datashare.tests.test_people_export_two_doors"),
    "rating_rectification": Walk("ratings.tests.test_two_doors"),
    "registry_change": Walk("grid.tests.test_registry_change_two_doors"),
    "sample_complaint": Walk("workflow.tests.test_two_doors"),
}


def _routes(value: Any) -> list[Sequence[Move]] | None:
    """The routes of a module attribute: a mapping of named routes, or one route; None for anything else."""
    routes = list(value.values()) if isinstance(value, Mapping) else [value]
    if all(isinstance(r, list | tuple) and r and all(isinstance(m, Move) for m in r) for r in routes):
        return routes
    return None


def _walked(module: Any, name: str) -> bool:
    """Does a test function of `module` walk the routes called `name`?"""
    mentions = re.compile(rf"\b{re.escape(name)}\b")
    for title, function in inspect.getmembers(module, inspect.isfunction):
        if not title.startswith("test_") or function.__module__ != module.__name__:
            continue
        source = inspect.getsource(function)
        if ".walk(" in source and mentions.search(source):
            return True
    return False


def walk_problems(
    definitions: Mapping[str, tuple[str, ProcessDefinition]], walks: Mapping[str, Walk] = WALKS
) -> list[str]:
    """What is wrong between the definitions ({process: (owning app, definition)}, as
    `workflow.handlers.definitions_on_disk()` finds them) and the walks: a definition with no walk, a
    walk of no definition, a module that is not a test module, does not name its process or does not
    walk the routes listed, and routes that never take an action of the definition. Empty when all is
    well."""
    problems = []
    for process in sorted(set(definitions) - set(walks)):
        problems.append(f"{process}: no two-door walk (write one and name it in tests/two_doors.py WALKS)")
    for process, walk in sorted(walks.items()):
        if process not in definitions:
            problems.append(f"{process}: walked by {walk.module}, but no definition names process {process}")
            continue
        if not walk.module.rpartition(".")[2].startswith("test_"):
            problems.append(f"{process}: {walk.module} is not a test module (test_*.py)")
            continue
        try:
            spec = importlib.util.find_spec(walk.module)
        except ModuleNotFoundError:  # its package does not exist either
            spec = None
        if spec is None:
            problems.append(f"{process}: no test module {walk.module}")
            continue
        module = importlib.import_module(walk.module)
        if f'"{process}"' not in inspect.getsource(module):
            problems.append(f"{process}: {walk.module} does not name process {process}")
        routes: list[Sequence[Move]] = []
        for name in walk.routes:
            if not hasattr(module, name):
                problems.append(f"{process}: {walk.module} has no routes {name}")
                continue
            found = _routes(getattr(module, name))
            if found is None:
                problems.append(f"{process}: {name} of {walk.module} is not a route or a mapping of routes")
                continue
            routes += found
            if not _walked(module, name):
                problems.append(f"{process}: no test of {walk.module} walks {name}")
        missing = uncovered(routes, set(definitions[process][1].actions))
        if missing:
            problems.append(f"{process}: the routes of {walk.module} never take {', '.join(sorted(missing))}")
    return problems
