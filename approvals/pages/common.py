"""What the pages of approvals share: rendering with the user's roles, a refusal page, the staff-only
decorator (log-in, role, 404 for what is out of reach) and an action's error shown on its form field."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.jurisdiction import user_roles
from accounts.models import Role
from approvals import actions, selectors
from core.errors import DomainError, NotFound

P = ParamSpec("P")
STAFF_ROLES = selectors.STAFF_ROLES


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render an approvals page with the user's roles (the menu shows what they may do)."""
    user = request.user
    roles = user_roles(user) if user.is_authenticated else set()
    return render(request, template, {**context, "approvals_roles": roles}, status=status)


def refuse(request: HttpRequest, message: str | Promise, status: int) -> HttpResponse:
    """The message page for a refusal (403 without the right, 404 for what is out of reach)."""
    return page(request, "approvals/message.html", {"message": message, "status": status}, status=status)


def staff_required(
    roles: set[str] | set[Role], message: str | Promise
) -> Callable[[Callable[P, HttpResponse]], Callable[P, HttpResponse]]:
    def decorator(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            request = args[0]
            assert isinstance(request, HttpRequest)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            user = request.user
            if not (user_roles(user) & roles or user.is_superuser):
                return refuse(request, message, 403)
            try:
                return view(*args, **kwargs)
            except NotFound:
                return refuse(request, _("该申请不存在，或不在您的管辖范围内。"), 404)

        return wrapper

    return decorator


def attach(form: forms.Form, error: DomainError) -> None:
    """The error on its field (`materials.2` is the form's `materials_2`), else above the form; each
    problem of a refusal of several materials on its own field."""
    for problem in error.problems if isinstance(error, actions.MaterialsRefused) else [error]:
        name = (problem.field or "").removeprefix("inputs.")
        name = name if name in form.fields else name.replace(".", "_")
        form.add_error(name if name in form.fields else None, problem.message)
