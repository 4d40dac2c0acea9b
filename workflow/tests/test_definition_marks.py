"""The actions' marks read generically: `destructive` (shown apart, confirmed, needs a reason) and
`optional` (nobody waits for it: the inbox does not count its source state for the role)."""

from __future__ import annotations

import pytest

from workflow.definitions import DefinitionError, load_all, parse_definition
from workflow.process_definition import from_json
from workflow.tests.test_definitions import VALID


def test_marks_parse_and_round_trip_and_keep_the_hash_of_unmarked_definitions() -> None:
    marked = parse_definition(
        VALID.replace("requires: {reason: true}}", "requires: {reason: true}, destructive: true}").replace(
            "clock: keep}", "clock: keep, optional: true}"
        )
    )
    assert marked.actions["hold"].destructive and marked.actions["go_on"].optional
    assert not marked.actions["finish"].destructive and not marked.actions["finish"].optional
    again = from_json(marked.as_json())
    assert again.actions["hold"].destructive and again.actions["go_on"].optional
    plain = parse_definition(VALID)
    assert "destructive" not in plain.as_json()["actions"]["hold"]
    assert plain.content_hash() == from_json(plain.as_json()).content_hash()


@pytest.mark.parametrize(
    ("replace", "by", "problem"),
    [
        ("requires: {reason: true}}", "requires: {reason: true}, destructive: yes please}", "true or false"),
        (
            "roles: [dispatcher, system]}",
            "roles: [dispatcher, system], destructive: true}",
            "requires a reason",
        ),
        ("clock: keep}", "clock: keep, optional: 1}", "true or false"),
    ],
)
def test_bad_marks_are_refused_with_their_line(replace: str, by: str, problem: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(VALID.replace(replace, by), "processes/tiny.yaml")
    assert problem in caught.value.problem and caught.value.line is not None


def test_the_refusing_actions_are_marked_destructive() -> None:
    marked = {(d.name, a.name) for _p, d in load_all() for a in d.actions.values() if a.destructive}
    assert {
        ("grid_event", "void"),
        ("grid_event", "send_back"),
        ("approval_application", "refuse_acceptance"),
        ("approval_application", "refuse"),
        ("approval_application", "withdraw"),
    } <= marked
    assert ("grid_event", "file") not in marked and ("grid_event", "dispatch") not in marked
