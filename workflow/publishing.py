"""Publishing definitions: a changed definition (content hash differs from the latest version) becomes
a new ProcessVersion; an unchanged one is left alone. Published versions are immutable."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from pathlib import Path

from django.db import IntegrityError, transaction

from accounts.models import User
from audit.actions import record_event
from core.errors import DomainError
from workflow.actors import system_actor
from workflow.definitions import load_all
from workflow.models import ProcessVersion, WorkItem
from workflow.process_definition import ProcessDefinition, definition_of_version


def do_publish_process(
    definition: ProcessDefinition, *, actor: User, now: datetime, source_path: str = ""
) -> tuple[ProcessVersion, bool]:
    """Publish one definition; returns (the current version, whether it was created now)."""
    content_hash = definition.content_hash()
    with transaction.atomic():
        latest = ProcessVersion.objects.filter(name=definition.name).order_by("-version").first()
        if latest is not None and latest.content_hash == content_hash:
            return latest, False
        version = ProcessVersion.objects.create(
            name=definition.name,
            version=(latest.version + 1) if latest else 1,
            title=definition.title,
            content_hash=content_hash,
            definition=definition.as_json(),
            source_path=source_path,
            published_at=now,
        )
        record_event(
            actor=actor,
            action="workflow.publish_process",
            subject=version,
            after={"name": version.name, "version": version.version, "content_hash": content_hash},
            now=now,
        )
    return version, True


def do_publish_processes(*, now: datetime, actor: User | None = None) -> list[tuple[ProcessVersion, bool]]:
    """Validate and publish every `processes/*.yaml` of the installed apps (all or nothing)."""
    loaded = load_all()
    publisher = actor or system_actor()
    with transaction.atomic():
        return [
            do_publish_process(definition, actor=publisher, now=now, source_path=_relative(path))
            for path, definition in loaded
        ]


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def current_version(name: str, *, now: datetime) -> ProcessVersion:
    """The latest published version of a process. When nothing has been published yet (a fresh
    database before `publish_processes` ran), the definitions on disk are published first."""
    version = ProcessVersion.objects.filter(name=name).order_by("-version").first()
    if version is None:
        # Concurrent first requests may both publish: the loser's savepoint is rolled back; read theirs.
        with suppress(IntegrityError):
            do_publish_processes(now=now)
        version = ProcessVersion.objects.filter(name=name).order_by("-version").first()
    if version is None:
        raise DomainError("unknown_process", f"未知的流程：{name}", field="process")
    return version


def definition_for(item: WorkItem) -> ProcessDefinition:
    """The definition the item started with (its pinned version), never the file on disk."""
    version = item.process_version
    return definition_of_version(version.pk, version.content_hash, version.definition)
