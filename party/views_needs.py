"""Staff pages of 代办需求 (/party/needs/…): the needs members found on their 联户联企 visits in the
jurisdiction, open ones first, and one need's page, where the grid worker links the application they
filed through the proxy service (`file`) or returns the need with a reason (`decline`). Both go through
the engine's `transition()`, so the handler bound to each step (party/needs.py) holds its rules — the same
as the generic /work/ item page. Readers: the party pages' readers and the grid workers; a role without
either 403, outside the jurisdiction 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.jurisdiction import user_roles
from accounts.models import User
from core.errors import DomainError, NotFound, PermissionRefused
from core.pii import mask_name
from party import selectors
from party.access import READER_ROLES, access_needs
from party.models import VisitNeed
from party.needs import beneficiary_label, need_for, needs_visible_to, proxy_candidates
from registry.models import Person
from territory.refs import territory_names
from workflow.access import available_actions
from workflow.confirm import needs_confirmation
from workflow.engine import transition
from workflow.publishing import definition_for

NEED_PAGE = 100


def _need_reader(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    try:
        access_needs(user)
    except PermissionRefused as refused:
        raise PermissionDenied(refused.message) from None
    return user


def _row(need: VisitNeed, *, now: Any, grid_names: dict[str, str]) -> dict[str, Any]:
    return {
        **selectors.need_row(need, now=now),
        "target": beneficiary_label(need.visit),
        "grid": grid_names.get(need.territory_code, need.territory_code),
        "need": need,
    }


@require_GET
@login_required
def need_list(request: HttpRequest) -> HttpResponse:
    user = _need_reader(request)
    now = timezone.now()
    needs = list(
        needs_visible_to(user).order_by(
            F("work_item__closed_at").desc(nulls_first=True), "-raised_at", "-id"
        )[:NEED_PAGE]
    )
    names = territory_names(n.territory_code for n in needs)
    context = {
        "rows": [_row(n, now=now, grid_names=names) for n in needs],
        # The party pages' tabs for their readers; a grid worker reaches this page from the menu.
        "show_tabs": bool(user_roles(user) & READER_ROLES),
    }
    return render(request, "party/needs.html", context)


class FileForm(forms.Form):
    receipt_no = forms.CharField(label=gettext_lazy("代办件受理编号"), max_length=40, required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("退回理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


def _beneficiary(need: VisitNeed) -> dict[str, str]:
    """Who the need is for, as the grid worker needs it to call: the household's number, home and its
    head's masked name, or the enterprise's name and its legal representative's masked name."""
    link = need.visit.link
    if link.household is not None:
        head = Person.objects.filter(household=link.household, relation=Person.Relation.HEAD).first()
        house = link.household.house
        return {
            "kind": _("户"),
            "name": link.household.number,
            "contact": mask_name(head.name) if head else "",
            "place": str(house) if house else "",
        }
    entity = link.entity
    assert entity is not None
    return {
        "kind": _("企业"),
        "name": entity.name,
        "contact": mask_name(entity.legal_representative),
        "place": "",
    }


@require_http_methods(["GET", "POST"])
@login_required
def need_detail(request: HttpRequest, need_id: int) -> HttpResponse:
    user = _need_reader(request)
    now = timezone.now()
    try:
        need = need_for(user, need_id)
    except NotFound:
        raise Http404 from None
    item = need.work_item
    name = request.POST.get("action", "")
    forms_by_action: dict[str, forms.Form] = {
        "file": FileForm(request.POST if name == "file" else None),
        "decline": DeclineForm(request.POST if name == "decline" else None),
    }
    status, confirming = 200, ""
    if request.method == "POST":
        form = forms_by_action.get(name)
        if form is None or not form.is_valid():
            return HttpResponse(_("无效的操作。"), status=400)
        data = form.cleaned_data
        action = definition_for(item).actions.get(name)
        offered = {a.name for a in available_actions(item, user)}
        if (
            name in offered
            and needs_confirmation(action, request.POST)
            and not data.get("reason", "").strip()
        ):
            form.add_error("reason", _("请填写理由。"))
            status = 400
        elif name in offered and needs_confirmation(action, request.POST):
            confirming = name  # 退回: the form comes back asking to confirm (without the page's script)
        else:
            version = request.POST.get("version", "")
            try:
                transition(
                    item,
                    name,
                    actor=user,
                    now=now,
                    inputs={"receipt_no": data["receipt_no"]} if name == "file" else {},
                    reason=data.get("reason", ""),
                    expected_version=int(version) if version.isdigit() else None,
                )
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
                status = error.status
            else:
                return HttpResponseRedirect(
                    reverse("party:need", args=[need.pk]) + f"?done={name}", status=303
                )
        need = need_for(user, need_id)
        item = need.work_item
    actions = {a.name: a for a in available_actions(item, user)}
    context = {
        "row": _row(need, now=now, grid_names=territory_names([need.territory_code])),
        "beneficiary": _beneficiary(need),
        "member": selectors.masked_member(need.member),
        "visit": need.visit,
        "item": item,
        "actions": actions,
        "file_form": forms_by_action["file"],
        "decline_form": forms_by_action["decline"],
        "candidates": proxy_candidates(user, need) if "file" in actions else [],
        "confirming": confirming,
        "done": request.GET.get("done", ""),
    }
    return render(request, "party/need.html", context, status=status)
