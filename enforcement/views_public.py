"""Public pages of 行政执法公示 (no login): the matters with their basis, benchmark and procedure, the
procedures and remedies (事前公示), and the published penalty decisions (事后公示). What a decision row
shows is decided in enforcement.cases.publication (never a citizen ID number)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from enforcement.cases.publication import public_publications, public_rows
from enforcement.models import CircumstanceLevel, DiscretionBand, EnforcementMatter, PartyKind, Sector
from territory.models import Division

PAGE_SIZE = 30


@require_GET
def matters(request: HttpRequest) -> HttpResponse:
    sector = request.GET.get("sector", "")
    # Bands in reading order: lighter, ordinary, heavier.
    bands = DiscretionBand.objects.order_by(
        Case(*(When(level=level, then=Value(n)) for n, level in enumerate(CircumstanceLevel.values)))
    )
    queryset = (
        EnforcementMatter.objects.filter(active=True)
        .prefetch_related(Prefetch("bands", queryset=bands))
        .order_by("sector", "code")
    )
    if sector in Sector.values:
        queryset = queryset.filter(sector=sector)
    else:
        sector = ""
    context = {"section": "matters", "matters": queryset, "sectors": Sector.choices, "sector": sector}
    return render(request, "enforcement/public/matters.html", context)


@require_GET
def decisions(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    town = request.GET.get("town", "").strip()
    q = request.GET.get("q", "").strip()[:50]
    queryset = public_publications(now=now)
    towns = list(
        Division.objects.filter(level=Division.Level.TOWN).order_by("code").values_list("code", "name")
    )
    if town and town in {code for code, _ in towns}:
        queryset = queryset.filter(case__town_code=town)
    else:
        town = ""
    if q:
        queryset = queryset.filter(
            Q(case__decision_number__icontains=q)
            | Q(case__matter__name__icontains=q)
            | Q(case__party_credit_code__iexact=q)
            # Legal persons may be searched by name; natural persons never (no look-up of a person).
            | Q(case__party_kind=PartyKind.LEGAL, case__party_name__icontains=q)
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "section": "decisions",
        "rows": public_rows(list(page.object_list)),
        "page": page,
        "towns": towns,
        "town": town,
        "q": q,
        "query": params.urlencode(),
    }
    return render(request, "enforcement/public/decisions.html", context)
