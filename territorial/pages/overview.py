"""The 三资 overview (figures, organisations and their balances, the overdue rents each linked to its
contract) and the warnings list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.requests import acting_user
from territorial import figures, selectors
from territorial.findings import findings
from territorial.pages.common import now, roles, staff_page, today

OVERDUE_ROWS = 20
LINKS = {"contract": "territorial:contract", "payment": "territorial:payment"}


@require_GET
@staff_page
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    day = today()
    orgs = selectors.organisations(user).prefetch_related("accounts")
    awaiting = selectors.payments(user).filter(work_item__state__in=selectors.AWAITING).count()
    context = {
        "organisations": orgs,
        "figures": figures.command_figures(user, now=now()),
        "overdue_rents": selectors.overdue_rents(user, today=day)[:OVERDUE_ROWS],
        "awaiting": awaiting,
        "year": day.year,
        "month": day.month,
        **roles(user),
    }
    return render(request, "territorial/staff/index.html", context)


@require_GET
@staff_page
def warning_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    found = findings(user, today=today())
    code = request.GET.get("code", "")
    codes = [(c, selectors.FINDING_LABELS.get(c, c)) for c in sorted({f.code for f in found})]
    rows = [
        {
            "code": f.code,
            "label": selectors.FINDING_LABELS.get(f.code, f.code),
            "village_code": f.village_code,
            "message": f.message,
            "amount": f.amount,
            "url": reverse(LINKS[f.subject_type], args=[f.subject_id]) if f.subject_type in LINKS else "",
        }
        for f in found
        if not code or f.code == code
    ]
    return render(
        request, "territorial/staff/warnings.html", {"findings": rows, "codes": codes, "code": code}
    )
