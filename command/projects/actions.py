"""Writes of the key-project register: saving a project (its shape checked by `full_clean`) and recording
its milestones and linked items after they change, each with an audit row in the same transaction. The
admin and the demo seed both write through here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from audit.actions import record_event
from command.projects.models import KeyProject

FIELDS = ("name", "territory_code", "lon", "lat", "progress", "description", "outline")


def _fields(project: KeyProject) -> dict[str, Any]:
    return {"owner_unit": project.owner_unit.code, **{name: getattr(project, name) for name in FIELDS}}


def do_save_project(project: KeyProject, *, actor: Any, now: datetime) -> KeyProject:
    """Create or update; bad input raises ValidationError (by field) before anything is written."""
    project.full_clean()
    with transaction.atomic():
        stored = KeyProject.objects.select_for_update().filter(pk=project.pk).first() if project.pk else None
        before = _fields(stored) if stored is not None else None
        project.save()
        record_event(
            actor=actor,
            action="command.project_saved",
            subject=project,
            territory_code=project.territory_code,
            before=before,
            after=_fields(project),
            now=now,
        )
    return project


def do_record_project_links(project: KeyProject, *, actor: Any, now: datetime) -> None:
    """Audit the milestones and linked items as they now stand (after an inline or M2M edit)."""
    with transaction.atomic():
        record_event(
            actor=actor,
            action="command.project_links_saved",
            subject=project,
            territory_code=project.territory_code,
            after={
                "milestones": [
                    [m.name, m.planned_on.isoformat(), m.actual_on.isoformat() if m.actual_on else None]
                    for m in project.milestones.order_by("planned_on", "id")
                ],
                "work_items": sorted(project.work_items.values_list("pk", flat=True)),
            },
            now=now,
        )
