"""One rule path (issue 12): every action of every process definition is bound to exactly one handler of
the app that owns the definition, and no handler names a process or action that no definition has."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workflow import handlers
from workflow.handlers import PLAIN, binding_problems, definitions_on_disk
from workflow.process_definition import ActionDef


def test_every_published_action_has_its_handler_and_no_handler_is_stray() -> None:
    definitions = definitions_on_disk()
    assert set(definitions) >= {
        "grid_event",
        "approval_application",
        "case_ordinary",
        "case_summary",
        "rating_rectification",
        "sample_complaint",
    }
    assert binding_problems(definitions) == []


def test_an_action_without_a_handler_is_found() -> None:
    definitions = definitions_on_disk()
    owner, grid = definitions["grid_event"]
    extra = replace(next(iter(grid.actions.values())), name="new_step")
    assert isinstance(extra, ActionDef)
    changed = {
        **definitions,
        "grid_event": (owner, replace(grid, actions={**grid.actions, "new_step": extra})),
    }
    assert binding_problems(changed) == [
        "grid_event.new_step: no handler is bound (the engine refuses the action)"
    ]


def test_a_stray_handler_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    bound = dict(handlers._BOUND)
    bound[("grid_event", "teleport")] = ("grid", PLAIN)
    bound[("no_such_process", "file")] = ("grid", PLAIN)
    bound[("case_summary", "decide_on_spot")] = ("grid", PLAIN)
    monkeypatch.setattr(handlers, "_BOUND", bound)
    assert binding_problems(definitions_on_disk()) == [
        "case_summary.decide_on_spot: bound by grid, but the process belongs to enforcement",
        "grid_event.teleport: bound by grid, but grid_event has no action teleport",
        "no_such_process.file: bound by grid, but no definition names process no_such_process",
    ]


def test_the_system_check_reports_nothing() -> None:
    from workflow.apps import check_bindings

    assert check_bindings() == []
