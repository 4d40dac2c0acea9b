"""Demo key projects (重点项目, 生成数据): one per persona town with a government unit and a grid boundary,
outlined by its first grid's bounding box, with three milestones around `now` (one done, one late, one
ahead) and a few of the grid's events linked. Found by name and territory, so a second run adds nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from shapely.geometry import mapping, shape

from accounts.models import OrgUnit, User
from command.projects.actions import do_record_project_links, do_save_project
from command.projects.models import KeyProject, Milestone
from grid.models import GridEvent
from territory.models import GridBoundary

TOWNS = {"320507003": "黄桥大道综合改造工程（演示）", "320507105": "渭塘河水环境整治项目（演示）"}
LINKED = 4


def _project(town: str, name: str, now: datetime, system: User) -> bool:
    owner = OrgUnit.objects.filter(code=f"{town}-gov").first()
    boundary = (
        GridBoundary.objects.filter(grid__code__startswith=town, valid_to__isnull=True)
        .order_by("grid_id")
        .first()
    )
    if (
        owner is None
        or boundary is None
        or KeyProject.objects.filter(name=name, territory_code=town).exists()
    ):
        return False
    grid = shape(boundary.geometry)
    centre = grid.representative_point()
    today = timezone.localdate(now)
    project = KeyProject(
        name=name,
        owner_unit=owner,
        territory_code=town,
        lon=round(centre.x, 6),
        lat=round(centre.y, 6),
        outline=json.loads(json.dumps(mapping(grid.envelope))),  # tuples → JSON lists
        progress=45,
        description="演示数据：道路、管网与沿线环境一体改造。",
    )
    do_save_project(project, actor=system, now=now)
    Milestone.objects.bulk_create(
        [
            Milestone(
                project=project,
                name="开工",
                planned_on=today - timedelta(days=60),
                actual_on=today - timedelta(days=62),
            ),
            Milestone(project=project, name="主体施工完成", planned_on=today - timedelta(days=7)),
            Milestone(project=project, name="竣工验收", planned_on=today + timedelta(days=90)),
        ]
    )
    events = GridEvent.objects.filter(grid_id=boundary.grid_id, work_item__isnull=False).order_by(
        "-reported_at"
    )
    project.work_items.set([e.work_item_id for e in events[:LINKED] if e.work_item_id is not None])
    do_record_project_links(project, actor=system, now=now)
    return True


def seed_projects(*, now: datetime, system: User) -> dict[str, Any]:
    with transaction.atomic():
        created = sum(1 for town, name in TOWNS.items() if _project(town, name, now, system))
    return {"projects_created": created}
