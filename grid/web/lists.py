"""Staff pages of grid: the grid's three lists (三张清单), phone-sized for grid workers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError, NotFound
from grid.models import PatrolFrequency
from grid.standards import actions, selectors
from grid.standards.actions.grid_lists import BASIC_INFO_COUNTS


class BasicInfoForm(forms.Form):
    households = forms.IntegerField(label=_("户数"), min_value=0)
    residents = forms.IntegerField(label=_("人口数"), min_value=0)
    places = forms.IntegerField(label=_("场所数"), min_value=0)
    key_places = forms.IntegerField(label=_("重点场所数"), min_value=0)
    enterprises = forms.IntegerField(label=_("企业数"), min_value=0)
    estates = forms.CharField(label=_("小区/自然村"), max_length=300, required=False)


class PatrolItemForm(forms.Form):
    name = forms.CharField(label=_("巡查事项"), max_length=100)
    frequency = forms.ChoiceField(label=_("频次"), choices=PatrolFrequency.choices)
    checkpoint = forms.CharField(label=_("巡查点位"), max_length=200, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def grid_lists(request: HttpRequest, code: str) -> HttpResponse:
    try:
        lists = selectors.grid_lists(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    info = lists.basic_info
    initial = {name: getattr(info, name) if info else 0 for name in BASIC_INFO_COUNTS}
    initial["estates"] = info.estates if info else ""
    basic_form = BasicInfoForm(initial=initial)
    patrol_form = PatrolItemForm()
    if request.method == "POST":
        target = request.POST.get("form")
        bound: forms.Form = BasicInfoForm(request.POST) if target == "basic" else PatrolItemForm(request.POST)
        if bound.is_valid():
            try:
                if target == "basic":
                    actions.do_update_basic_info(
                        lists.grid, bound.cleaned_data, actor=request.user, now=timezone.now()
                    )
                else:
                    actions.do_add_patrol_item(
                        lists.grid, actor=request.user, now=timezone.now(), **bound.cleaned_data
                    )
            except DomainError as exc:
                messages.error(request, exc.message)
                return render(
                    request,
                    "grid/lists.html",
                    {"lists": lists, "basic_form": basic_form, "patrol_form": patrol_form},
                    status=exc.status,
                )
            messages.success(request, _("已保存"))
            return HttpResponseRedirect(reverse("grid:lists", args=[code]))
        if target == "basic":
            basic_form = bound  # type: ignore[assignment]
        else:
            patrol_form = bound  # type: ignore[assignment]
    return render(
        request, "grid/lists.html", {"lists": lists, "basic_form": basic_form, "patrol_form": patrol_form}
    )
