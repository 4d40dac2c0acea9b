"""Staff pages of evaluation (under /evaluation/): the points ranking of a period per squad and town,
an officer's entries, the rotation flags with their history, (re)computing a period, and the command
side's list of late publications and withdrawals (三项制度)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.jurisdiction import user_roles
from accounts.models import User
from accounts.requests import acting_user
from core.errors import DomainError, NotFound, PermissionRefused
from enforcement.cases.publication import NOTICE_WITHDRAWAL_LATE, late_publications_for, late_stage
from evaluation import actions, selectors


def _staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required; a refusal renders the page's error with its status (404 for what is outside
    the jurisdiction, 403 for a role that may not, 400 for bad input)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            status = 404 if isinstance(error, NotFound) else error.status
            return render(request, "evaluation/error.html", {"message": error.message}, status=status)

    return wrapper


def _default_period() -> str:
    return selectors.default_period(timezone.now())


@require_GET
@_staff_page
def ranking(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    period = request.GET.get("period") or _default_period()
    town = request.GET.get("town", "")
    result = selectors.ranking_for(user, period=period, town=town, squad=request.GET.get("squad", ""))
    flags = list(selectors.rotation_flags_for(user, period=period))
    context = {
        "ranking": result,
        "flags": flags,
        "towns": selectors.visible_town_codes(user),
        "may_compute": bool(user_roles(user) & actions.COMPUTE_ROLES),
    }
    return render(request, "evaluation/ranking.html", context)


@require_GET
@_staff_page
def officer_entries(request: HttpRequest, officer_id: int) -> HttpResponse:
    user = acting_user(request)
    period = request.GET.get("period") or _default_period()
    entries = list(selectors.entries_for(user, period=period, officer_id=officer_id))
    officer = User.objects.filter(pk=officer_id).first()
    if officer is None or (not entries and not selectors.officer_visible(user, officer_id)):
        raise NotFound("该队员不存在，或不在您的管辖范围内。")
    context = {
        "officer": officer,
        "period": period,
        "entries": entries,
        "total": sum(e.points for e in entries),
    }
    return render(request, "evaluation/officer.html", context)


@require_POST
@_staff_page
def compute(request: HttpRequest) -> HttpResponse:
    period = request.POST.get("period", "")
    try:
        report = actions.do_compute_points(period, actor=acting_user(request), now=timezone.now())
    except PermissionRefused:
        raise
    except DomainError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("evaluation:ranking"))
    messages.success(
        request,
        _("%(period)s 积分已计算：%(entries)d 条明细，%(flagged)d 人淘汰换岗预警。")
        % {"period": report.period, "entries": report.entries, "flagged": report.flagged},
    )
    return HttpResponseRedirect(f"{reverse('evaluation:ranking')}?period={report.period}")


@require_GET
@_staff_page
def late_publications(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [
        {"publication": p, "case": p.case, "withdrawal": late_stage(p) == NOTICE_WITHDRAWAL_LATE}
        for p in late_publications_for(acting_user(request), now=now)
    ]
    return render(request, "evaluation/late_publications.html", {"rows": rows, "now": now})
