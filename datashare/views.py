"""Staff pages: the data catalogue and one connected source (its runs and its quarantine)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from datashare import selectors
from datashare.models import Connector

RUNS_SHOWN = 20


@login_required
def catalogue_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(request, "datashare/catalogue.html", {"assets": selectors.catalogue(user)})


@login_required
def connector_page(request: HttpRequest, connector_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    connector = Connector.objects.select_related("owner_unit").filter(pk=connector_id).first()
    if connector is None or not selectors.overlaps(user, connector.territory_code):
        raise Http404
    return render(
        request,
        "datashare/connector.html",
        {
            "connector": connector,
            "runs": connector.runs.all()[:RUNS_SHOWN],
            "quarantine": connector.quarantine.all()[: RUNS_SHOWN * 5],
        },
    )
