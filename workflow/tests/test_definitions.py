"""Loading definitions: the sample is valid; each kind of mistake names the file, the line and the problem."""

from __future__ import annotations

import pytest

from workflow.definitions import DefinitionError, discover_files, load_all, parse_definition
from workflow.process_definition import from_json, main_action

VALID = """\
name: tiny
title: 小流程
time_limit: {amount: 2, unit: work_days}
start: {state: new, roles: [dispatcher]}
states:
  new: {kind: start, title: 新建, limit: {amount: 1, unit: work_days}}
  waiting: {kind: paused, title: 等待}
  done: {kind: terminal, title: 完成}
actions:
  hold: {from: [new], to: waiting, roles: [dispatcher], requires: {reason: true}}
  go_on: {from: [waiting], to: new, roles: [dispatcher], clock: keep}
  finish: {from: [new], to: done, roles: [dispatcher, system]}
escalations:
  - {state: new, warn: true, overdue_action: finish}
"""


def _error(text: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "processes/tiny.yaml")
    return caught.value


def test_valid_definition_round_trips_through_json() -> None:
    definition = parse_definition(VALID)
    assert definition.start_state == "new"
    assert definition.states["waiting"].clock_runs is False
    assert definition.actions["go_on"].clock == "keep"
    assert from_json(definition.as_json()) == definition
    assert (
        parse_definition(VALID + "\n# a comment changes nothing\n").content_hash()
        == definition.content_hash()
    )


def test_the_loader_discovers_the_sample_in_workflow_processes() -> None:
    assert any(path.name == "sample_complaint.yaml" for path in discover_files())
    names = [definition.name for _path, definition in load_all()]
    assert "sample_complaint" in names


def test_unknown_state_names_file_and_line() -> None:
    error = _error(VALID.replace("to: waiting", "to: wating"))
    assert (error.path, error.line) == ("processes/tiny.yaml", 10)
    assert "unknown state 'wating'" in str(error)
    assert str(error).startswith("processes/tiny.yaml:10: ")


def test_unreachable_state() -> None:
    text = VALID.replace(
        "  done: {kind: terminal, title: 完成}\n",
        "  done: {kind: terminal, title: 完成}\n  lost: {kind: terminal}\n",
    )
    error = _error(text)
    assert error.line == 9 and "'lost' is unreachable" in error.problem


def test_action_without_allowed_role() -> None:
    error = _error(
        VALID.replace(
            "hold: {from: [new], to: waiting, roles: [dispatcher]",
            "hold: {from: [new], to: waiting, roles: []",
        )
    )
    assert error.line == 10 and "no role is allowed" in error.problem


def test_unknown_role() -> None:
    error = _error(VALID.replace("roles: [dispatcher, system]", "roles: [janitor]"))
    assert error.line == 12 and "unknown role 'janitor'" in error.problem


def test_terminal_state_with_outgoing_action() -> None:
    error = _error(VALID.replace("go_on: {from: [waiting]", "go_on: {from: [done]"))
    assert error.line == 11 and "terminal state 'done' cannot have outgoing actions" in error.problem


def test_bad_unit() -> None:
    error = _error(
        VALID.replace("limit: {amount: 1, unit: work_days}", "limit: {amount: 1, unit: fortnights}")
    )
    assert (
        error.line == 6
        and "unit 'fortnights' is not one of work_hours, work_days, natural_days" in error.problem
    )


def test_escalation_action_must_allow_the_system() -> None:
    error = _error(VALID.replace("overdue_action: finish", "overdue_action: hold"))
    assert error.line == 14 and "system" in error.problem


def test_invalid_yaml_reports_the_line() -> None:
    error = _error("name: x\nstates: [unclosed\n")
    assert error.line is not None and "invalid YAML" in error.problem


def test_the_main_action_is_the_step_the_work_waits_for() -> None:
    grid = next(d for _, d in load_all() if d.name == "grid_event")
    # From 已立案 the dispatcher is offered 改类 (optional) before 派遣 in written order: 派遣 opens first.
    filed = grid.actions_from("filed")
    assert [a.name for a in filed].index("reclassify") < [a.name for a in filed].index("dispatch")
    assert main_action(filed) is grid.actions["dispatch"]
    # Only optional and destructive steps left: the first optional one, never the destructive one.
    side = [grid.actions["void"], grid.actions["reclassify"]]
    assert main_action(side) is grid.actions["reclassify"]
    assert main_action([grid.actions["void"]]) is None
    assert main_action([]) is None
