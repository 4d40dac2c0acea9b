"""The party member's phone pages (/party/m/…): this month's 联户 visits, logging one visit with the
phone's position, a note, a photo and (optionally) a problem reported to the grid (党员联户) and a need
for the grid worker's proxy service (代办需求); a logged visit's page shows its needs and takes more."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.requests import acting_user
from core.errors import DomainError, NotFound
from grid.models import Category, CategoryKind
from grid.web.mobile import geo_labels
from party import selectors
from party.models import Visit
from party.needs import do_raise_need
from party.visits import VisitLog, do_log_visit, month_bounds, visit_for_member


class VisitForm(forms.Form):
    lon = forms.FloatField(widget=forms.HiddenInput, required=False)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    crs = forms.CharField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=gettext_lazy("走访记录"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    photo = forms.FileField(
        label=gettext_lazy("照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    problem = forms.CharField(
        label=gettext_lazy("发现的问题（可不填）"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    category_code = forms.ChoiceField(label=gettext_lazy("问题类别"), required=False)
    need = forms.CharField(
        label=gettext_lazy("发现的需求（可不填，交网格员代办）"),
        help_text=gettext_lazy("如：老人需办理高龄津贴申领，行动不便"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        minors = Category.objects.filter(kind=CategoryKind.EVENT, active=True, parent__isnull=False).order_by(
            "code"
        )
        choices = [(c.code, f"{c.code} {c.display_name}") for c in minors]
        self.fields["category_code"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]


class NeedForm(forms.Form):
    need = forms.CharField(
        label=gettext_lazy("走访中发现的需求"),
        help_text=gettext_lazy("交本网格的网格员上门代办（代办服务）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


@require_GET
@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    member = getattr(user, "party_member", None)
    if member is None:
        return render(request, "party/m/not_member.html", status=403)
    now = timezone.now()
    first, _last = month_bounds(timezone.localdate(now))
    visits = list(selectors.visits_to_make(member, now=now))
    figures = selectors.member_coverage(member, now=now)
    return render(
        request,
        "party/m/visits.html",
        {
            "visits": [
                {**row, "needs": row["needs_raised"]}
                for row in (selectors.own_visit_row(v, now=now) for v in visits)
            ],
            "figures": figures,
            "month": first,
            "today": now.date(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def visit_log(request: HttpRequest, visit_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        visit = visit_for_member(user, visit_id)
    except NotFound:
        return render(request, "party/m/not_member.html", status=404)
    if visit.visited_at is not None:
        if request.method == "POST":  # a second submission (another tab, a resend): shown, not saved
            refused = NeedForm({})
            refused.is_valid()
            refused.add_error(None, _("该走访已登记，本次提交未保存。"))
            return _logged(request, visit, refused, status=409)
        return _logged(request, visit, NeedForm())
    form = VisitForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["lon"] is None or data["lat"] is None:
            form.add_error(None, _("未能获取位置：请允许定位后再签到。"))
            status = 400
        else:
            log = VisitLog(
                lon=data["lon"],
                lat=data["lat"],
                note=data["note"],
                photo=data["photo"],
                problem=data["problem"],
                category_code=data["category_code"],
                need=data["need"],
            )
            try:
                do_log_visit(visit, log, actor=user, now=timezone.now())
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
                status = error.status
            else:
                return HttpResponseRedirect(reverse("party:m_visits") + f"?done={visit.pk}")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "party/m/visit.html",
        {"visit": selectors.visit_row(visit), "form": form, "geo_labels": geo_labels()},
        status=status,
    )


def _logged(request: HttpRequest, visit: Visit, form: NeedForm, status: int = 200) -> HttpResponse:
    """A logged visit: what was recorded, its needs with their state, and the form for one more need."""
    now = timezone.now()
    context = {
        "visit": selectors.visit_row(visit),
        "note": visit.note,
        "needs": selectors.needs_of_visit(visit, now=now),
        "form": form,
    }
    return render(request, "party/m/visit_logged.html", context, status=status)


@require_POST
@login_required
def visit_need(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The member records a need found on their logged visit (the request for the grid worker's 代办)."""
    user = acting_user(request)
    try:
        visit = visit_for_member(user, visit_id)
    except NotFound:
        return render(request, "party/m/not_member.html", status=404)
    form = NeedForm(request.POST)
    if not form.is_valid():
        return _logged(request, visit, form, status=400)
    try:
        do_raise_need(visit, form.cleaned_data["need"], actor=user, now=timezone.now())
    except DomainError as error:
        form.add_error("need" if error.field == "need" else None, error.message)
        return _logged(request, visit, form, status=error.status)
    return HttpResponseRedirect(reverse("party:m_visit", args=[visit.pk]) + "?need=1", status=303)
