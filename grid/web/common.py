"""Helpers shared by the grid pages (grid worker, dispatcher, agency, public): role gates, the 403 page,
turning a DomainError into per-field form errors, and event rows with their traffic light."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, ParamSpec

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.jurisdiction import user_roles
from accounts.models import Assignment, Role, User
from core.errors import DomainError
from grid.models import GridEvent
from workflow.selectors import ItemView, view_of

P = ParamSpec("P")

DISPATCH_ROLES: set[str] = {Role.DISPATCHER, Role.SUPERVISOR}
AGENCY_ROLES: set[str] = {Role.AGENCY_STAFF, Role.OFFICER, Role.SQUAD_LEADER, Role.GRID_HEAD, Role.LEADER}
GRID_WORKER_ROLES: set[str] = {Role.GRID_WORKER}


def current_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def forbidden(request: HttpRequest, message: str | Promise) -> HttpResponse:
    return render_page(request, "grid/forbidden.html", {"message": message}, status=403)


def not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return render_page(
        request,
        "grid/not_found.html",
        {"message": message or _("该事件不存在，或不在您的管辖范围内。")},
        status=404,
    )


def roles_required(
    roles: set[str], message: str | Promise
) -> Callable[[Callable[P, HttpResponse]], Callable[P, HttpResponse]]:
    """Log-in required (redirect), then one of `roles` (403 page otherwise)."""

    def decorator(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            request = args[0]
            assert isinstance(request, HttpRequest)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user_roles(request.user) & roles):
                return forbidden(request, message)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def worker_grid_codes(user: User) -> list[str]:
    """The grids (15-digit codes) this user is the grid worker of."""
    codes = Assignment.objects.filter(user=user, active=True, role=Role.GRID_WORKER).values_list(
        "territory_code", flat=True
    )
    return sorted({c for c in codes if len(c) == 15})


def user_unit_ids(user: User) -> list[int]:
    return list(Assignment.objects.filter(user=user, active=True).values_list("org_unit_id", flat=True))


def attach_error(form: forms.Form, error: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Show an action's refusal next to the field it names (or above the form)."""
    name = error.field or ""
    name = (field_map or {}).get(name, name.removeprefix("inputs."))
    if name in form.fields:
        form.add_error(name, error.message)
    else:
        form.add_error(None, error.message)


@dataclass(frozen=True)
class EventRow:
    event: GridEvent
    view: ItemView | None

    @property
    def state(self) -> str:
        return self.event.work_item.state if self.event.work_item else ""

    @property
    def state_title(self) -> str:
        return self.view.state_title if self.view else ""


def event_rows(events: Iterable[GridEvent], *, now: datetime) -> list[EventRow]:
    """Events with their work item's view (state title, light, time left); the definitions and calendar
    are cached per process, so this adds no query per row beyond the select_related of the queryset."""
    return [EventRow(e, view_of(e.work_item, now=now) if e.work_item else None) for e in events]


def page_query(request: HttpRequest, drop: Iterable[str] = ("page",)) -> str:
    """The current query string without `page`, for pagination links that keep the filters."""
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def clean_choice(value: str, allowed: Iterable[str]) -> str:
    return value if value in set(allowed) else ""


def grid_nav(request: HttpRequest) -> list[tuple[str, str]]:
    """The grid links of the top navigation for this user's roles."""
    roles = user_roles(request.user) if request.user.is_authenticated else set()
    links: list[tuple[str, str]] = []
    if roles & GRID_WORKER_ROLES:
        links.append((reverse("grid:m_home"), _("网格员")))
    if roles & DISPATCH_ROLES:
        links.append((reverse("grid:dispatch_review"), _("指挥调度")))
    if roles & AGENCY_ROLES:
        links.append((reverse("grid:tasks"), _("处置任务")))
    return links


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    photo_labels = {"chosen": _("已选 {n} 张照片"), "tooMany": _("照片最多 {max} 张，请重新选择。")}
    return render(
        request,
        template,
        {**context, "photo_labels": photo_labels},
        status=status,
    )
