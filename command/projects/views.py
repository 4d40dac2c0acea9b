"""Staff pages of the key projects: the list of the caller's jurisdiction (progress, late milestones) and
one project's page (its outline and linked items on the map, drawn by static/command/project.js from the
projects API, and its milestones)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from command.basemap import project_map_config
from command.projects.api import milestone_late
from command.projects.selectors import get_project_for, projects_visible_to
from core.errors import DomainError
from territory.refs import territory_names


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "command/error.html", {"error": error}, status=error.status)


@login_required
@require_GET
def projects_page(request: HttpRequest) -> HttpResponse:
    try:
        projects = list(projects_visible_to(request.user).prefetch_related("milestones"))
    except DomainError as error:
        return _error(request, error)
    today = timezone.localdate()
    rows = [(p, sum(1 for m in p.milestones.all() if milestone_late(m, today))) for p in projects]
    names = territory_names(p.territory_code for p in projects)
    return render(request, "command/projects/list.html", {"rows": rows, "territory_names": names})


@login_required
@require_GET
def project_page(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        project = get_project_for(user, project_id)
    except DomainError as error:
        return _error(request, error)
    today = timezone.localdate()
    milestones = [(m, milestone_late(m, today)) for m in project.milestones.all()]
    return render(
        request,
        "command/projects/detail.html",
        {"project": project, "milestones": milestones, "map_config": project_map_config()},
    )
