"""Staff pages of the workflow: the inbox (my items and my unit's) and an item page with its timeline and
the actions the user may take (htmx POST; refusals shown in place, in Chinese)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.requests import acting_user
from accounts.selectors import org_units_visible_to, people_visible_to
from core.errors import DomainError
from core.replica import replica_reads
from territory.refs import territory_names
from workflow.access import available_actions
from workflow.confirm import CONFIRM_FIELD, needs_confirmation
from workflow.engine import transition
from workflow.listing import CappedPaginator, attach_item_references, lean_items
from workflow.models import Light
from workflow.publishing import definition_for
from workflow.selectors import (
    ItemFilters,
    actions_for,
    filter_items,
    get_item_for,
    state_tally,
    timeline_of,
    view_of,
)

# What a person reads for an action's input fields (the YAML names them by key). A field not listed here
# shows its key, so a new YAML field is visible (and caught by the page test) rather than hidden.
FIELD_LABELS = {
    "assigned_unit": gettext_lazy("承办机构"),
    "result": gettext_lazy("处置结果"),
    "original": gettext_lazy("原件受理编号"),
    "trigger": gettext_lazy("吹哨事由"),
    "legal_basis": gettext_lazy("法律依据"),
    "delivery_method": gettext_lazy("送达方式"),
    "receipt_no": gettext_lazy("代办件受理编号"),
}

# scope → (assigned to me, to my unit, waiting for my role in my jurisdiction)
SCOPES = {
    "mine_unit": (True, True, True),
    "mine": (True, False, False),
    "unit": (False, True, False),
    "role": (False, False, True),
    "all": (False, False, False),
}


def _render_error(request: HttpRequest, item_id: int, error: DomainError) -> HttpResponse:
    response = render(request, "workflow/_errors.html", {"errors": [error.as_dict()]})
    if not request.headers.get("HX-Request"):
        response.status_code = error.status
    return response


@login_required
@replica_reads
def inbox(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    now = timezone.now()
    scope = request.GET.get("scope", "mine_unit")
    mine, my_unit, my_role = SCOPES.get(scope, SCOPES["mine_unit"])
    light = request.GET.get("light", "")
    filters = ItemFilters(
        state=request.GET.get("state", "")[:40],
        process=request.GET.get("process", "")[:80],
        light=light if light in Light.values else "",
        mine=mine,
        my_unit=my_unit,
        my_role=my_role,
        overdue=request.GET.get("overdue") == "1",
    )
    matching = filter_items(user, filters, now=now)
    queryset = lean_items(matching)
    page = CappedPaginator(queryset, 50).get_page(request.GET.get("page"))
    attach_item_references(page.object_list)
    rows = [view_of(item, now=now) for item in page.object_list]
    context: dict[str, Any] = {
        "rows": rows,
        "territory_names": territory_names(item.territory_code for item in page.object_list),
        "page": page,
        "scope": scope,
        "filters": filters,
        "lights": Light.choices,
        "tally": state_tally(matching),
        "scopes": [
            ("mine_unit", _("等我办理的（本人、本单位、本岗位）")),
            ("mine", _("我承办的")),
            ("unit", _("本单位的")),
            ("role", _("本岗位在辖区内待办的")),
            ("all", _("辖区内全部")),
        ],
    }
    return render(request, "workflow/inbox.html", context)


@login_required
def item_page(request: HttpRequest, item_id: int) -> HttpResponse:
    user = acting_user(request)
    now = timezone.now()
    try:
        item = get_item_for(user, item_id)
    except DomainError as error:
        return render(request, "workflow/not_found.html", {"error": error}, status=error.status)
    actions = actions_for(item, user)
    wanted = {field for action in actions for field in action.requires.fields}
    reassign = any(action.reassign == "input" for action in actions)
    people = people_visible_to(user, org_unit=item.assigned_unit.code if item.assigned_unit else None)
    context = {
        "view": view_of(item, now=now),
        "timeline": timeline_of(item),
        "actions": [
            (action, [(field, FIELD_LABELS.get(field, field)) for field in action.requires.fields])
            for action in actions
        ],
        # Pickers by name, scoped by jurisdiction: units to hand over to, people to reassign to.
        "units": list(org_units_visible_to(user).order_by("name", "code").values_list("code", "name"))
        if "assigned_unit" in wanted
        else [],
        "people": [(p.username, p.get_full_name() or p.username) for p in people[:500]] if reassign else [],
    }
    return render(request, "workflow/item.html", context)


@login_required
@require_POST
def act(request: HttpRequest, item_id: int) -> HttpResponse:
    """Parse → access → action → render: the item page's action buttons post here."""
    user = acting_user(request)
    now = timezone.now()
    try:
        item = get_item_for(user, item_id)
        version = request.POST.get("version", "")
        inputs: dict[str, Any] = {}
        for key in request.POST:
            value = request.POST.get(key, "").strip()
            if key.startswith("field_") and value:
                inputs[key.removeprefix("field_")] = value
        attachments = [a.strip() for a in request.POST.get("attachments", "").split(",") if a.strip()]
        if attachments:
            inputs["attachments"] = attachments
        action = definition_for(item).actions.get(request.POST.get("action", ""))
        reason = request.POST.get("reason", "").strip()
        # Only an action this user may take now is confirmed; any other goes on to the engine's refusal.
        offered = {a.name for a in available_actions(item, user)}
        if needs_confirmation(action, request.POST) and action is not None and action.name in offered:
            if not reason:
                raise DomainError("required", _("请填写理由。"), field="reason")
            # A destructive action posted without the page's script: a second step asks to confirm.
            if request.headers.get("HX-Request"):
                raise DomainError("unconfirmed", _("请确认后再提交。"), field="action")
            posted = [
                (key, value)
                for key in request.POST
                if key not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
                for value in request.POST.getlist(key)
            ]
            context = {"item": item, "action": action, "reason": reason, "posted": posted}
            return render(request, "workflow/confirm.html", context)
        transition(
            item,
            request.POST.get("action", ""),
            actor=user,
            now=now,
            inputs=inputs,
            reason=request.POST.get("reason", ""),
            expected_version=int(version) if version.isdigit() else None,
        )
    except DomainError as error:
        return _render_error(request, item_id, error)
    target = reverse("workflow:item", args=[item_id])
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target, status=303)
