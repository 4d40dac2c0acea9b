"""Demo key projects: one per town with a government unit and grids, outlined inside the district, with a
late milestone and the grid's events linked; a second run adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from command.projects.models import KeyProject
from demo.projects_data import seed_projects
from grid.tests.test_pages_support import NOW, act, report

pytestmark = pytest.mark.django_db


def test_demo_projects_are_seeded_once(personas: dict[str, User], territory: Any) -> None:
    from grid.standards.actions import do_seed_reference

    do_seed_reference(actor=personas["system"], now=NOW)
    event = report(personas)
    act(event, "file", personas, "dispatcher")
    assert seed_projects(now=NOW, system=personas["system"]) == {"projects_created": 1}  # 黄桥 only here
    project = KeyProject.objects.get()
    assert project.territory_code == "320507003" and project.owner_unit.code == "320507003-gov"
    assert project.outline is not None and project.outline["type"] == "Polygon"
    assert project.lon is not None and 120.55 <= project.lon <= 120.56
    assert list(project.work_items.values_list("pk", flat=True)) == [event.work_item_id]
    today = timezone.localdate(NOW)
    assert [m.planned_on < today and m.actual_on is None for m in project.milestones.all()] == [
        False,
        True,
        False,
    ]
    project.full_clean()
    audited = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"command.project_saved", "command.project_links_saved"} <= audited
    assert seed_projects(now=NOW, system=personas["system"]) == {"projects_created": 0}
    assert KeyProject.objects.count() == 1
