"""What every 三资 page shares: the access wrapper, the clock, the caller's village/town roles, the map's
configuration, and `submit` — the one shape of a POST (form → action → redirect, or the page again with
the refusal on the form and nothing written)."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from accounts.jurisdiction import user_roles
from accounts.models import User
from accounts.requests import acting_user
from core.errors import DomainError, NotFound
from territorial import selectors
from territorial.access import TOWN_ROLES, VILLAGE_ROLES
from territorial.forms import attach

# (the form, the HTTP status) → the page showing that form
PageWithForm = Callable[[Any, int], HttpResponse]


def staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required; only the 三资 roles (403 otherwise); a refusal not shown on a form renders the
    error page with its status (404 for what is outside the jurisdiction)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            selectors.check_viewer(acting_user(request))
            return view(request, *args, **kwargs)
        except DomainError as error:
            status = 404 if isinstance(error, NotFound) else error.status
            context = {"message": error.message, "code": error.code}
            return render(request, "territorial/staff/error.html", context, status=status)

    return wrapper


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate()


def roles(user: User) -> dict[str, bool]:
    held = user_roles(user)
    return {"is_village": bool(held & VILLAGE_ROLES), "is_town": bool(held & TOWN_ROLES)}


def map_config(points: list[dict[str, Any]], outlines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "points": points,
        "outlines": outlines or [],
    }


def submit(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict[str, Any]], Any],
    *,
    page: PageWithForm,
    done: Callable[[Any], str],
    message: str,
) -> HttpResponse:
    """Run a posted form through its action. A form that does not parse shows again with 400; a refusal
    by the action shows on the form with its status (what is outside the jurisdiction stays a 404 page);
    success flashes `message` and redirects to `done(result)`."""
    if not form.is_valid():
        return page(form, 400)
    try:
        result = act(form.cleaned_data)
    except NotFound:
        raise
    except DomainError as error:
        attach(form, error)
        return page(form, error.status)
    messages.success(request, message)
    return HttpResponseRedirect(done(result))


def form_page(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict[str, Any]], Any],
    *,
    page: PageWithForm,
    done: Callable[[Any], str],
    message: str,
) -> HttpResponse:
    """A page that shows a form on GET and submits it on POST."""
    if request.method != "POST":
        return page(form, 200)
    return submit(request, form, act, page=page, done=done, message=message)


def verb_form(verbs: dict[str, Any], verb: str, request: HttpRequest) -> forms.Form:
    """The bound form of one of a page's POST verbs; an unknown verb is not found."""
    form_class = verbs.get(verb)
    if form_class is None:
        raise NotFound(field="action")
    form: forms.Form = form_class(request.POST, request.FILES)
    return form


def stored_file(file: FieldFile, filename: str) -> HttpResponse:
    """A stored voucher or contract scan (an image re-encoded on upload, or a PDF rewritten and checked
    for active content: territorial.scans), shown inline and never sniffed as anything else."""
    with file.open("rb") as stored:
        content = stored.read()
    kind = mimetypes.guess_type(str(file.name))[0] or "application/octet-stream"
    extension = Path(str(file.name)).suffix
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'inline; filename="{filename}{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
