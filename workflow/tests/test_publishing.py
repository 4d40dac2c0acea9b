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
from workflow.access import available_actions
from workflow.definitions import load_all
from workflow.engine import transition
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


def test_states_and_actions_come_back_in_written_order(personas: dict[str, Any]) -> None:
    """jsonb (PostgreSQL) reorders object keys; the written order travels as lists beside them."""
    from workflow.process_definition import definition_of_version

    call_command("publish_processes", stdout=StringIO())
    for _path, written in load_all():
        stored = ProcessVersion.objects.filter(name=written.name).order_by("-version").first()
        assert stored is not None
        back = definition_of_version(stored.pk, stored.content_hash, stored.definition)
        assert list(back.actions) == list(written.actions), written.name
        assert list(back.states) == list(written.states), written.name
        assert stored.content_hash == written.content_hash()


def test_order_migration_restores_written_order_of_stored_versions(personas: dict[str, Any]) -> None:
    """A version stored before the order was kept (keys shuffled as jsonb does) gets its file's order."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("workflow.migrations.0007_process_version_order")
    call_command("publish_processes", stdout=StringIO())
    written = _sample()
    stored = ProcessVersion.objects.get(name="sample_complaint", version=1)
    shuffled = {key: value for key, value in stored.definition.items() if key != "order"}
    shuffled["actions"] = dict(sorted(shuffled["actions"].items(), key=lambda kv: (len(kv[0]), kv[0])))
    ProcessVersion._base_manager.filter(pk=stored.pk).update(definition=shuffled)
    migration.add_order(apps, None)
    stored.refresh_from_db()
    assert stored.definition["order"]["actions"] == list(written.actions)
    assert stored.content_hash == written.content_hash()
