"""Staff pages of the reports: the archive (`/command/reports/`, scoped by jurisdiction) with download
links and the caller's subscriptions; downloads of the archived files; subscribe and unsubscribe."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.jurisdiction import jurisdiction_codes, user_roles
from command.reports.actions import REPORT_LEVELS, XLSX_TYPE, do_subscribe_report, do_unsubscribe_report
from command.reports.models import DeliveryChannel, Report, ReportKind
from command.reports.selectors import COMMAND, get_report_for, reports_visible_to, subscriptions_of
from core.errors import DomainError
from territory.models import Division
from territory.scoping import scope

PAGE_SIZE = 30
FORMATS = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}


def _territories(request: HttpRequest) -> list[tuple[str, str]]:
    rows = scope(Division.objects.filter(level__in=REPORT_LEVELS), jurisdiction_codes(request.user), "code")
    if not user_roles(request.user) & COMMAND:  # a village's head: their own village only
        rows = rows.filter(level=Division.Level.VILLAGE)
    return list(rows.order_by("code").values_list("code", "name"))


def _page(request: HttpRequest, error: DomainError | None = None) -> HttpResponse:
    try:
        rows = reports_visible_to(
            request.user, kind=request.GET.get("kind", ""), code=request.GET.get("code", "")
        )
    except DomainError as refused:
        return render(request, "command/error.html", {"error": refused}, status=refused.status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    territories = _territories(request)
    names = dict(territories)
    subscriptions = [
        (sub, names.get(sub.territory_code, sub.territory_code))
        for sub in subscriptions_of(request.user)  # type: ignore[arg-type]
    ]
    return render(
        request,
        "command/reports/list.html",
        {
            "page": page,
            "kinds": ReportKind.choices,
            "channels": DeliveryChannel.choices,
            "territories": territories,
            "subscriptions": subscriptions,
            "chosen": {"kind": request.GET.get("kind", ""), "code": request.GET.get("code", "")},
            "error": error,
        },
        status=error.status if error else 200,
    )


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_GET
def download(request: HttpRequest, report_id: str, fmt: str) -> HttpResponse | FileResponse:
    try:
        report: Report = get_report_for(request.user, int(report_id))
    except DomainError as error:
        return render(request, "command/error.html", {"error": error}, status=error.status)
    file = report.xlsx if fmt == "xlsx" else report.pdf
    name = f"{report.territory_name}{report.period}{report.get_kind_display()}.{fmt}"
    return FileResponse(file.open("rb"), content_type=FORMATS[fmt], as_attachment=True, filename=name)


@login_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    try:
        do_subscribe_report(
            kind=request.POST.get("kind", ""),
            territory_code=request.POST.get("territory_code", ""),
            channel=request.POST.get("channel", ""),
            address=request.POST.get("address", ""),
            actor=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
        )
    except DomainError as error:
        return _page(request, error)
    return redirect("command:reports")


@login_required
@require_POST
def unsubscribe(request: HttpRequest, subscription_id: int) -> HttpResponse:
    try:
        do_unsubscribe_report(subscription_id, actor=request.user, now=timezone.now())  # type: ignore[arg-type]
    except DomainError as error:
        return _page(request, error)
    return redirect("command:reports")
