"""The public 财务公开 page (no login): one village, one month, from territorial.disclosure."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.errors import NotFound
from territorial.disclosure import monthly_disclosure


@require_GET
def disclosure(request: HttpRequest, village_code: str, year: int, month: int) -> HttpResponse:
    try:
        page = monthly_disclosure(village_code, year, month)
    except NotFound as error:
        raise Http404 from error
    return render(request, "territorial/disclosure.html", {"page": page})
