"""Scoped reads of key projects: a command role first, then only the projects inside the caller's
jurisdiction (one outside is not found, never shown)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from accounts.jurisdiction import scope_for
from accounts.models import User
from command.projects.models import KeyProject, Milestone
from command.selectors import require_command_role
from core.errors import NotFound
from workflow.models import WorkItem


def projects_visible_to(user: User | AnonymousUser) -> QuerySet[KeyProject]:
    require_command_role(user)
    return scope_for(user, KeyProject.objects.select_related("owner_unit"), "territory_code")


def get_project_for(user: User | AnonymousUser, project_id: int) -> KeyProject:
    found = (
        projects_visible_to(user)
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("planned_on", "id")),
            Prefetch("work_items", queryset=WorkItem.objects.select_related("grid_event").order_by("id")),
        )
        .filter(pk=project_id)
        .first()
    )
    if found is None:
        raise NotFound("未找到该项目。", field="project")
    return found
