"""The grid worker's phone pages for patrols (/grid/m/patrol/…): start a round, check in at each patrol
item (with the browser's position when it has one), end the round. htmx swaps one item row at a time;
without script the forms post and redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, NotFound
from grid.patrols.actions import do_check_in, do_end_patrol, do_start_patrol
from grid.patrols.selectors import get_patrol_for, get_patrol_item, patrol_rows
from grid.standards.selectors import get_grid_for
from grid.web.common import (
    GRID_WORKER_ROLES,
    current_user,
    forbidden,
    not_found,
    render_page,
    roles_required,
)
from grid.web.mobile import geo_labels

WORKER_ONLY = gettext_lazy("此页面供网格员使用。")


def _parse_float(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        return float("nan")  # the action refuses it with the field named


@roles_required(GRID_WORKER_ROLES, WORKER_ONLY)
@require_POST
def patrol_start(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        grid = get_grid_for(user, request.POST.get("grid", ""))
        patrol = do_start_patrol(grid, actor=user, now=timezone.now())
    except NotFound as error:
        return not_found(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
        if error.status == 403:
            return forbidden(request, error.message)
        return HttpResponseRedirect(reverse("grid:m_home"), status=303)
    return HttpResponseRedirect(reverse("grid:m_patrol", args=[patrol.pk]), status=303)


@roles_required(GRID_WORKER_ROLES, WORKER_ONLY)
@require_GET
def patrol_page(request: HttpRequest, patrol_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        patrol = get_patrol_for(user, patrol_id)
    except NotFound as error:
        return not_found(request, error.message)
    if patrol.worker_id != user.pk:
        return forbidden(request, _("只能查看本人的巡查。"))
    rows = patrol_rows(patrol)
    return render_page(
        request,
        "grid/m/patrol.html",
        {
            "patrol": patrol,
            "rows": rows,
            "done": sum(1 for r in rows if r.check_in),
            "total": len(rows),
            "geo_labels": geo_labels(),
        },
    )


@roles_required(GRID_WORKER_ROLES, WORKER_ONLY)
@require_POST
def patrol_check_in(request: HttpRequest, patrol_id: int, item_id: int) -> HttpResponse:
    user = current_user(request)
    htmx = bool(request.headers.get("HX-Request"))
    try:
        patrol = get_patrol_for(user, patrol_id)
        item = get_patrol_item(patrol, item_id)
    except NotFound as error:
        return not_found(request, error.message)
    failure: DomainError | None = None
    try:
        do_check_in(
            patrol,
            item,
            actor=user,
            now=timezone.now(),
            lon=_parse_float(request.POST.get("lon")),
            lat=_parse_float(request.POST.get("lat")),
            crs=request.POST.get("crs") or "wgs84",
            normal=request.POST.get("normal", "1") != "0",
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        failure = exc
    if htmx:
        rows = patrol_rows(patrol)
        row = next(r for r in rows if r.item.pk == item.pk)
        context = {
            "patrol": patrol,
            "row": row,
            "error": failure,
            "note": request.POST.get("note", ""),
            "progress": {"done": sum(1 for r in rows if r.check_in), "total": len(rows)},
        }
        return render(request, "grid/m/_patrol_row.html", context)
    if failure is not None:
        if failure.status == 403:
            return forbidden(request, failure.message)
        messages.error(request, f"{item.name}：{failure.message}")
    return HttpResponseRedirect(reverse("grid:m_patrol", args=[patrol.pk]), status=303)


@roles_required(GRID_WORKER_ROLES, WORKER_ONLY)
@require_POST
def patrol_end(request: HttpRequest, patrol_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        patrol = get_patrol_for(user, patrol_id)
        do_end_patrol(patrol, actor=user, now=timezone.now(), note=request.POST.get("note", ""))
    except NotFound as error:
        return not_found(request, error.message)
    except DomainError as error:
        if error.status == 403:
            return forbidden(request, error.message)
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("grid:m_patrol", args=[patrol_id]), status=303)
    messages.success(request, _("巡查已结束。"))
    return HttpResponseRedirect(reverse("grid:m_home"), status=303)
