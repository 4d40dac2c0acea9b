"""Pages of registry change requests: the grid worker's phone form proposing a household, and the list
where the village reviews both kinds of request — new households, and changes to registered records
with their values before and after (masked; a field above the viewer's sensitivity level only as
changed) — approve applies, reject sends back with a reason. The record change forms are in
`registry_records`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.jurisdiction import scope_for, user_roles
from accounts.models import Role, User
from core.errors import DomainError
from core.pii import mask_id_number, mask_name
from grid.models import RegistryChangeRequest
from grid.registry_changes import (
    MemberProposal,
    do_propose_household,
    do_review_change,
    do_review_record_change,
    proposal_of,
)
from grid.web.common import GRID_WORKER_ROLES, current_user, roles_required, worker_grid_codes
from registry import selectors, sensitivity
from registry.models import Person

MEMBER_ROWS = 5
LIST_LIMIT = 50
REVIEW_ROLES: set[str] = {Role.GRID_HEAD, Role.DATA_STEWARD}


class HouseholdForm(forms.Form):
    grid = forms.ChoiceField(label=_("网格"), choices=[])
    number = forms.CharField(label=_("户号"), max_length=30)

    def __init__(self, *args: Any, grids: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grid"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, code) for code in grids]
        for i in range(MEMBER_ROWS):
            required = i == 0
            self.fields[f"name_{i}"] = forms.CharField(label=_("姓名"), max_length=50, required=required)
            self.fields[f"id_number_{i}"] = forms.CharField(
                label=_("身份证号"), max_length=18, required=required
            )
            self.fields[f"relation_{i}"] = forms.ChoiceField(
                label=_("与户主关系"),
                choices=Person.Relation.choices,
                initial=Person.Relation.HEAD if i == 0 else Person.Relation.CHILD,
            )
            self.fields[f"kind_{i}"] = forms.ChoiceField(label=_("类别"), choices=Person.Kind.choices)
            self.fields[f"phone_{i}"] = forms.CharField(label=_("电话"), max_length=20, required=False)

    def members(self) -> list[MemberProposal]:
        data = self.cleaned_data
        return [
            MemberProposal(
                data[f"name_{i}"],
                data[f"id_number_{i}"],
                data[f"relation_{i}"],
                data[f"kind_{i}"],
                data[f"phone_{i}"],
            )
            for i in range(MEMBER_ROWS)
            if data.get(f"name_{i}") or data.get(f"id_number_{i}")
        ]

    def rows(self) -> list[list[forms.BoundField]]:
        names = ("name", "id_number", "relation", "kind", "phone")
        return [[self[f"{name}_{i}"] for name in names] for i in range(MEMBER_ROWS)]


@roles_required(GRID_WORKER_ROLES, _("只有网格员可以在手机上提交新增户。"))
@require_http_methods(["GET", "POST"])
def propose_household(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = HouseholdForm(request.POST or None, grids=worker_grid_codes(user))
    if request.method == "POST" and form.is_valid():
        try:
            do_propose_household(
                grid_code=form.cleaned_data["grid"],
                number=form.cleaned_data["number"],
                members=form.members(),
                actor=user,
                now=timezone.now(),
            )
        except DomainError as error:
            form.add_error(None, f"{error.message}（{error.field}）" if error.field else error.message)
        else:
            messages.success(request, _("已提交，待村（社区）审核后生效。"))
            return redirect("grid:registry_changes")
    return render(request, "grid/m/household_new.html", {"form": form})


def _masked_proposal(change: RegistryChangeRequest) -> list[dict[str, str]]:
    return [
        {
            "name": mask_name(m["name"]),
            "id_number": mask_id_number(m["id_number"]),
            "relation": str(Person.Relation(m["relation"]).label),
        }
        for m in proposal_of(change)["members"]
    ]


def _record_rows(user: User) -> list[dict[str, Any]]:
    changes = selectors.changes_visible_to(user).select_related(
        "person", "entity", "key_place", "house__building"
    )[:LIST_LIMIT]
    levels: dict[str, int] = {}  # the viewer's level by territory: one lookup per grid on the page
    rows = []
    for change in changes:
        code = change.territory_code
        if code not in levels:
            levels[code] = sensitivity.level_for(user, code)
        rows.append(
            {
                "record_change": change,
                "subject": selectors.change_subject(change),
                "fields": selectors.change_rows(change, levels[code]),
                "at": change.proposed_at,
            }
        )
    return rows


@roles_required(GRID_WORKER_ROLES | REVIEW_ROLES, _("只有网格员、网格长和数据管理员可以查看变更申请。"))
def change_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    changes = scope_for(
        user, RegistryChangeRequest.objects.select_related("work_item", "proposed_by"), "territory_code"
    )[:LIST_LIMIT]
    rows = [{"change": c, "members": _masked_proposal(c), "at": c.proposed_at} for c in changes]
    rows = sorted(rows + _record_rows(user), key=lambda row: row["at"], reverse=True)[:LIST_LIMIT]
    return render(
        request,
        "grid/registry_changes.html",
        {"rows": rows, "may_review": bool(REVIEW_ROLES & user_roles(user))},
    )


def _reviewed(request: HttpRequest, user: User, change: Any, review: Callable[..., Any]) -> HttpResponse:
    """Take the posted action (approve/reject) on a change through its review door; back to the list."""
    try:
        review(
            change,
            request.POST.get("action", ""),
            actor=user,
            now=timezone.now(),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect("grid:registry_changes")


@roles_required(REVIEW_ROLES, _("只有网格长或数据管理员可以审核。"))
@require_POST
def review_change(request: HttpRequest, change_id: int) -> HttpResponse:
    user = current_user(request)
    change = (
        scope_for(user, RegistryChangeRequest.objects.all(), "territory_code").filter(pk=change_id).first()
    )
    if change is None:
        raise Http404
    return _reviewed(request, user, change, do_review_change)


@roles_required(REVIEW_ROLES, _("只有网格长或数据管理员可以审核。"))
@require_POST
def review_record_change(request: HttpRequest, change_id: int) -> HttpResponse:
    user = current_user(request)
    change = selectors.changes_visible_to(user).filter(pk=change_id).first()
    if change is None:
        raise Http404
    return _reviewed(request, user, change, do_review_record_change)
