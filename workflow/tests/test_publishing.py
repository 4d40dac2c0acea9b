"""Publishing: a changed definition becomes a new version; running items keep the version they started
with (the engine reads the stored JSON); the commands publish and draw diagrams."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.appendonly import AppendOnlyError
from core.errors import DomainError
from workflow.definitions import load_all
from workflow.engine import available_actions, transition
from workflow.models import ProcessVersion, WorkItem
from workflow.publishing import do_publish_process
from workflow.tests.conftest import at

pytestmark = pytest.mark.django_db


def _sample() -> Any:
    return next(definition for _path, definition in load_all() if definition.name == "sample_complaint")


def test_publish_is_idempotent_and_a_change_makes_a_new_version(personas: dict[str, Any]) -> None:
    out = StringIO()
    call_command("publish_processes", stdout=out)
    assert "sample_complaint v1: published" in out.getvalue()
    call_command("publish_processes", stdout=out)
    assert "sample_complaint v1: unchanged" in out.getvalue()
    assert ProcessVersion.objects.filter(name="sample_complaint").count() == 1


def test_running_item_keeps_its_version(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    old_item = start_item(at(2026, 9, 29))
    assert old_item.process_version.version == 1
    # Publish a changed definition in which 作废 (void) no longer exists.
    changed = _sample()
    actions = {name: a for name, a in changed.actions.items() if name != "void"}
    new_definition = replace(changed, actions=actions)
    version, created = do_publish_process(new_definition, actor=personas["system"], now=at(2026, 9, 29, 11))
    assert created and version.version == 2
    new_item = start_item(at(2026, 9, 29, 12))
    assert new_item.process_version == version
    dispatcher = personas["dispatcher"]
    assert "void" in {a.name for a in available_actions(old_item, dispatcher)}
    assert "void" not in {a.name for a in available_actions(new_item, dispatcher)}
    voided = transition(old_item, "void", actor=dispatcher, now=at(2026, 9, 29, 13), reason="重复上报")
    assert voided.state == "voided"
    with pytest.raises(DomainError) as refused:
        transition(new_item, "void", actor=dispatcher, now=at(2026, 9, 29, 13), reason="重复上报")
    assert refused.value.code == "unknown_action"


def test_published_versions_are_immutable(personas: dict[str, Any]) -> None:
    call_command("publish_processes", stdout=StringIO())
    version = ProcessVersion.objects.get(name="sample_complaint", version=1)
    version.title = "改过"
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        version.save()


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("mermaid", "registered --> handling : 派遣"), ("dot", '"registered" -> "handling"')],
)
def test_workflow_diagram(fmt: str, expected: str) -> None:
    out = StringIO()
    call_command("workflow_diagram", "sample_complaint", "--format", fmt, stdout=out)
    assert expected in out.getvalue()


def test_workflow_diagram_unknown_process() -> None:
    with pytest.raises(CommandError, match="unknown process"):
        call_command("workflow_diagram", "nope", stdout=StringIO())
