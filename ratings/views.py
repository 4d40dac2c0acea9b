"""Pages of 好差评: online rating by the applicant (/ratings/rate/: receipt number + phone code, then the
form), the window's rating pad (/ratings/pad/<application>/), and the figures (/ratings/figures/).
Parse → access → action → render."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from accounts.models import User
from approvals.models import Application
from core.errors import DomainError
from core.publication import publish
from outbox.phone_codes import do_confirm_phone_code, do_send_phone_code
from ratings.actions import (
    APPEAL_ACTIONS,
    PHONE_CODE_PURPOSE,
    do_act_on_rectification,
    do_rate_application,
    may_review_appeal,
)
from ratings.figures import GROUPING_TITLES, GROUPINGS, Figures, centre_choices, figures_for
from ratings.forms import IdentifyForm, RatingForm
from ratings.models import BAD_LEVELS, Level, RatingChannel, dimensions_for
from ratings.selectors import (
    application_for_pad,
    check_figure_access,
    find_application,
    get_rating_for,
    ratings_visible_to,
    stages_open,
)
from workflow.selectors import actions_for, timeline_of, view_of

SESSION_KEY = "ratings_verified"
VERIFIED_FOR = timedelta(minutes=30)
DEFAULT_DAYS = 30


def _attach(form: Any, error: DomainError) -> None:
    name = (error.field or "").removeprefix("inputs.")
    if name.startswith("scores."):
        name = "score_" + name.removeprefix("scores.")
    form.add_error(name if name in form.fields else None, error.message)


# ---------------------------------------------------------------------------------------------- online


@require_http_methods(["GET", "POST"])
def rate_identify(request: HttpRequest) -> HttpResponse:
    """Step 1: receipt number + phone → a code by SMS; step 2: the code → the rating form."""
    form = IdentifyForm(request.POST or None)
    code_sent = request.POST.get("step") == "verify"
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            application = find_application(data["receipt_no"], data["phone"])
            if request.POST.get("step") == "verify":
                do_confirm_phone_code(
                    phone=data["phone"], code=data["code"], purpose=PHONE_CODE_PURPOSE, now=now
                )
                request.session[SESSION_KEY] = {
                    "application": application.pk,
                    "until": (now + VERIFIED_FOR).isoformat(),
                }
                return HttpResponseRedirect(reverse("ratings:rate_form"), status=303)
            do_send_phone_code(phone=data["phone"], purpose=PHONE_CODE_PURPOSE, now=now)
            code_sent = True
        except DomainError as error:
            _attach(form, error)
            status = error.status
    elif request.method == "POST":
        status = 400
    return render(request, "ratings/identify.html", {"form": form, "code_sent": code_sent}, status=status)


def _verified_application(request: HttpRequest, now: datetime) -> Application | None:
    data = request.session.get(SESSION_KEY) or {}
    until = data.get("until")
    application_id = data.get("application")
    if not isinstance(application_id, int) or not until or datetime.fromisoformat(until) <= now:
        return None
    return Application.objects.select_related("item", "centre").filter(pk=application_id).first()


@require_http_methods(["GET", "POST"])
def rate_form(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    application = _verified_application(request, now)
    if application is None:
        return HttpResponseRedirect(reverse("ratings:rate"))
    return _rating_page(request, application, channel=RatingChannel.ONLINE, actor=None, now=now)


def _rating_page(
    request: HttpRequest, application: Application, *, channel: str, actor: User | None, now: datetime
) -> HttpResponse:
    stages = stages_open(application)
    form = RatingForm(request.POST or None, channel=channel, stages=stages)
    status = 200
    done = None
    if request.method == "POST" and form.is_valid():
        try:
            done, _created = do_rate_application(
                application,
                stage=form.cleaned_data["stage"],
                channel=channel,
                level=form.cleaned_data["level"],
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                actor=actor,
                now=now,
            )
        except DomainError as error:
            _attach(form, error)
            status = error.status
    elif request.method == "POST":
        status = 400
    # The online form is anonymous (a phone code, no login): what it shows leaves through the
    # publication path (channel ratings.public_form), never the application's other fields.
    facts = publish(
        "ratings.public_form",
        {
            "receipt_no": application.receipt_no,
            "item_name": application.item.name,
            "centre_name": application.centre.name,
        },
    )
    context = {
        "application": application,
        "facts": facts,
        "form": form,
        "stages": stages,
        "done": done,
        "channel": channel,
        "pad": channel == RatingChannel.WINDOW,
        "levels": Level.choices,
    }
    return render(request, "ratings/rate.html", context, status=status)


# ---------------------------------------------------------------------------------------------- window pad


@login_required
@require_http_methods(["GET", "POST"])
def pad(request: HttpRequest, application_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        application = application_for_pad(user, application_id)
    except DomainError as error:
        return render(request, "ratings/refused.html", {"message": error.message}, status=error.status)
    return _rating_page(request, application, channel=RatingChannel.WINDOW, actor=user, now=timezone.now())


# ---------------------------------------------------------------------------------------------- figures


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def parse_period(params: Any, now: datetime) -> tuple[datetime, datetime]:
    """[from, to) from dates (local; `to` included); default the last 30 days up to today."""
    bounds: dict[str, date | None] = {}
    for name in ("from", "to"):
        value = (params.get(name) or "").strip()
        try:
            bounds[name] = parse_date(value) if value else None
        except ValueError:
            bounds[name] = None
        if value and bounds[name] is None:
            raise DomainError("invalid", "日期格式应为 YYYY-MM-DD。", field=name)
    last = bounds["to"] or timezone.localtime(now).date()
    end = _local_midnight(last + timedelta(days=1))
    start = _local_midnight(bounds["from"]) if bounds["from"] else end - timedelta(days=DEFAULT_DAYS)
    if end <= start:
        raise DomainError("invalid", "结束日期不能早于开始日期。", field="to")
    if end - start > timedelta(days=366 * 3):
        raise DomainError("invalid", "统计区间最长三年。", field="from")
    return start, end


def chart_data(figures: Figures) -> dict[str, Any]:
    """ECharts series: a stacked bar of the levels per row and the satisfaction rate as a line."""
    labels = dict(Level.choices)
    rows = figures.rows[:30]
    return {
        "categories": [row.label for row in rows],
        "levels": [
            {"name": str(labels[level]), "data": [row.levels.get(level, 0) for row in rows]}
            for level in sorted(Level.values, reverse=True)
        ],
        "rate_name": _("满意率（%）"),
        "rates": [
            round(row.satisfaction_rate * 100, 1) if row.satisfaction_rate is not None else None
            for row in rows
        ],
    }


@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by") or "centre"
    context: dict[str, Any] = {
        "by": by,
        "groupings": [(key, GROUPING_TITLES[key]) for key in GROUPINGS],
        "params": request.GET,
        "levels": [label for _value, label in sorted(Level.choices, reverse=True)],
        "centres": centre_choices(request.user),
    }
    try:
        start, end = parse_period(request.GET, timezone.now())
        figures = figures_for(request.user, by, start, end, centre=(request.GET.get("centre") or "").strip())
    except DomainError as error:
        context["error"] = error
        return render(request, "ratings/figures.html", context, status=error.status)
    context.update(
        {
            "figures": figures,
            "start": start,
            "last_day": (end - timedelta(days=1)),
            "chart": chart_data(figures),
        }
    )
    return render(request, "ratings/figures.html", context)


# ------------------------------------------------------------------------------------ list and rectification

FIELD_LABELS = {
    "callback_note": _lazy("回访情况"),
    "outcome": _lazy("整改或说明结果（将以短信告知申请人）"),
}


@login_required
def rating_list(request: HttpRequest) -> HttpResponse:
    """Ratings of the user's jurisdiction, newest first; `bad=1` only the bad ones, `open=1` only those
    whose rectification is still open."""
    user = request.user
    assert isinstance(user, User)
    try:
        check_figure_access(user)
    except DomainError as error:
        return render(request, "ratings/refused.html", {"message": error.message}, status=error.status)
    queryset = ratings_visible_to(user)
    if request.GET.get("bad") == "1":
        queryset = queryset.filter(level__in=BAD_LEVELS)
    if request.GET.get("open") == "1":
        queryset = queryset.filter(rectification__closed_at__isnull=True, rectification__isnull=False)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "ratings/list.html", {"page": page, "params": request.GET})


@login_required
@require_http_methods(["GET", "POST"])
def rating_detail(request: HttpRequest, rating_id: int) -> HttpResponse:
    """One rating and its rectification: the actions the user may take now (through ratings.actions, so
    the outcome SMS and the exclusion follow in the same transaction), and the item's history."""
    user = request.user
    assert isinstance(user, User)
    now = timezone.now()
    try:
        rating = get_rating_for(user, rating_id)
    except DomainError as refused:
        return render(request, "ratings/refused.html", {"message": refused.message}, status=refused.status)
    error: DomainError | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        inputs = {
            key.removeprefix("field_"): request.POST.get(key, "").strip()
            for key in request.POST
            if key.startswith("field_") and request.POST.get(key, "").strip()
        }
        version = request.POST.get("version", "")
        try:
            do_act_on_rectification(
                rating,
                action,
                actor=user,
                now=now,
                reason=request.POST.get("reason", ""),
                inputs=inputs,
                expected_version=int(version) if version.isdigit() else None,
            )
            messages.success(request, _("已办理。"))
            return HttpResponseRedirect(reverse("ratings:detail", args=[rating.pk]), status=303)
        except DomainError as exc:
            error = exc
    item = rating.rectification
    actions = []
    if item is not None:
        for action_def in actions_for(item, user):
            if action_def.name in APPEAL_ACTIONS and not may_review_appeal(user, rating):
                continue
            fields = [(name, FIELD_LABELS.get(name, name)) for name in action_def.requires.fields]
            actions.append({"def": action_def, "fields": fields})
    context = {
        "rating": rating,
        "labels": dimensions_for(rating.channel),
        "view": view_of(item, now=now) if item else None,
        "timeline": timeline_of(item) if item else [],
        "actions": actions,
        "error": error,
    }
    return render(request, "ratings/detail.html", context, status=error.status if error else 200)
