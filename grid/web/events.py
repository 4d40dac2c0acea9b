"""The staff page of one grid event (/grid/events/<id>/) for the dispatcher and the agencies: what was
reported, photos, routing, timeline and a form for every action the user may take now; and the action
endpoint those forms (and the queues' inline buttons, over htmx) post to."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.jurisdiction import user_roles
from accounts.models import OrgUnit, User
from accounts.selectors import org_units_visible_to
from core.errors import DomainError
from grid.events.dispatch import LENGTH_OF_LEVEL, LEVEL_ORDER, level_of_code
from grid.events.selectors import (
    SUBJECT_TYPE,
    duplicate_candidates_with_distance,
    get_event_for,
    latest_routing,
)
from grid.events.steps import do_event_action
from grid.models import EventAttachment, EventLevel, GridEvent, RoutingDecision
from grid.web.common import (
    AGENCY_ROLES,
    DISPATCH_ROLES,
    attach_error,
    current_user,
    event_rows,
    forbidden,
    not_found,
    render_page,
)
from grid.web.forms import ACTION_FIELDS, EventActionForm
from workflow.access import available_actions
from workflow.confirm import needs_confirmation
from workflow.process_definition import ActionDef, main_action
from workflow.publishing import definition_for
from workflow.selectors import timeline_of

ERROR_FIELDS = {"inputs.attachments": "photos", "attachments": "photos", "inputs.original": "original"}


def whistle_units(event: GridEvent) -> list[tuple[str, str]]:
    """The units one level above the level that holds the event, covering the event's place."""
    item = event.work_item
    current = level_of_code(item.assigned_unit.territory_code) if item and item.assigned_unit else event.level
    index = LEVEL_ORDER.index(EventLevel(current))
    if index + 1 >= len(LEVEL_ORDER):
        return []
    code = event.territory_code[: LENGTH_OF_LEVEL[LEVEL_ORDER[index + 1]]]
    return [
        (unit.code, unit.name)
        for unit in OrgUnit.objects.filter(territory_code=code).order_by("kind", "code")
    ]


def dispatch_units(user: User) -> list[tuple[str, str]]:
    """The units a dispatcher may pick, by name: those inside the viewer's jurisdiction."""
    return list(org_units_visible_to(user).order_by("name", "code").values_list("code", "name"))


def action_form(
    action: str,
    event: GridEvent,
    routing: RoutingDecision | None,
    data: Any = None,
    files: Any = None,
    *,
    units: list[tuple[str, str]] | None = None,
) -> EventActionForm:
    initial: dict[str, Any] = {"version": event.work_item.version if event.work_item else None}
    if action == "dispatch" and routing is not None and routing.chosen_unit is not None:
        initial["assigned_unit"] = routing.chosen_unit.code
    return EventActionForm(
        action,
        data,
        files,
        initial=initial,
        unit_choices=whistle_units(event) if action == "whistle" else units if action == "dispatch" else None,
        category_kind=event.kind,
    )


def _back_link(user: User) -> tuple[str, str]:
    roles = user_roles(user)
    if roles & DISPATCH_ROLES:
        return reverse("grid:dispatch_review"), _("指挥调度")
    if roles & AGENCY_ROLES:
        return reverse("grid:tasks"), _("处置任务")
    return reverse("home"), _("工作台")


def staff_event_context(user: User, event: GridEvent, bound: EventActionForm | None = None) -> dict[str, Any]:
    item = event.work_item
    actions: list[ActionDef] = available_actions(item, user) if item else []
    routing = latest_routing(event)
    names = {a.name for a in actions}
    units = dispatch_units(user) if "dispatch" in names else []
    forms = []
    for action in actions:
        if action.name not in ACTION_FIELDS:
            continue
        form = (
            bound
            if bound is not None and bound.action_name == action.name
            else action_form(action.name, event, routing, units=units)
        )
        forms.append((action, form))
    photos: dict[str, list[EventAttachment]] = {}
    for attachment in event.attachments.all().order_by("id"):
        photos.setdefault(attachment.stage, []).append(attachment)
    back_url, back_label = _back_link(user)
    return {
        "event": event,
        "row": event_rows([event], now=timezone.now())[0],
        "timeline": timeline_of(item) if item else [],
        "show_actor": True,
        "action_forms": forms,
        "main_action": main_action([action for action, _ in forms]),
        "routing": routing,
        "routings": list(
            RoutingDecision.objects.filter(subject_type=SUBJECT_TYPE, subject_id=str(event.pk))
            .select_related("chosen_unit", "category__parent")
            .order_by("decided_at", "id")
        ),
        "candidates": duplicate_candidates_with_distance(event) if "mark_duplicate" in names else [],
        "units": units,
        "photos": photos,
        "duplicates": list(event.duplicates.select_related("work_item").order_by("id")),
        "definition": definition_for(item) if item else None,
        "back_url": back_url,
        "back_label": back_label,
    }


@login_required
@require_GET
def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        event = get_event_for(user, event_id)
    except DomainError:
        return not_found(request)
    return render_page(request, "grid/event.html", staff_event_context(user, event))


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


@login_required
@require_POST
def act(request: HttpRequest, event_id: int) -> HttpResponse:
    """Parse → access → action → render. htmx rows get the row back (done, or the error beside it)."""
    user = current_user(request)
    htmx = bool(request.headers.get("HX-Request"))
    try:
        event = get_event_for(user, event_id)
    except DomainError:
        return not_found(request)
    action = request.POST.get("action", "")
    if action not in ACTION_FIELDS:
        error = DomainError("invalid_action", _("未知的操作。"), field="action")
        return _inline_error(event, [error.message]) if htmx else not_found(request, error.message)
    units = dispatch_units(user) if action == "dispatch" else None
    form = action_form(action, event, None, request.POST, request.FILES, units=units)
    definition = definition_for(event.work_item) if event.work_item else None
    offered = {a.name for a in available_actions(event.work_item, user)} if event.work_item else set()
    action_def = definition.actions.get(action) if definition else None
    if form.is_valid() and action in offered and needs_confirmation(action_def, request.POST):
        # 作废, 退回, 不予延期, 返工: the form comes back filled in, asking to confirm (no script needed).
        if htmx:
            return _inline_error(event, [_("请确认后再提交。")])
        context = staff_event_context(user, event, bound=form)
        return render_page(request, "grid/event.html", {**context, "confirming": action})
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_event_action(
                event,
                action,
                actor=user,
                now=timezone.now(),
                reason=data.get("reason", "") or "",
                inputs=form.inputs(),
                photos=data.get("photos") or [],
                expected_version=data.get("version"),
            )
        except DomainError as error:
            if error.status == 403 and not htmx:
                return forbidden(request, error.message)
            attach_error(form, error, ERROR_FIELDS)
        else:
            event = get_event_for(user, event_id)
            definition = definition_for(event.work_item) if event.work_item else None
            title = (
                definition.actions[action].title if definition and action in definition.actions else action
            )
            if htmx:
                row = event_rows([event], now=timezone.now())[0]
                return render(request, "grid/dispatch/_done_row.html", {"row": row, "action_title": title})
            messages.success(
                request,
                _("%(receipt)s：%(action)s 已完成。") % {"receipt": event.receipt_number, "action": title},
            )
            return HttpResponseRedirect(
                _safe_next(request) or reverse("grid:event", args=[event.pk]), status=303
            )
    if htmx:
        texts = [str(e) for errors in form.errors.values() for e in errors]
        return _inline_error(event, texts)
    return render_page(request, "grid/event.html", staff_event_context(user, event, bound=form), status=400)


def _inline_error(event: GridEvent, texts: list[str]) -> HttpResponse:
    response = HttpResponse(
        "".join(f'<p class="inline-error" role="alert">{escape(t)}</p>' for t in texts), status=200
    )
    response["HX-Retarget"] = f"#err-{event.pk}"
    response["HX-Reswap"] = "innerHTML"
    return response


@login_required
@require_GET
def photo(request: HttpRequest, attachment_id: int) -> HttpResponse | FileResponse:
    """An event's photo, for staff who may see the event (files are not public)."""
    user = current_user(request)
    attachment = (
        EventAttachment.objects.filter(pk=attachment_id).only("event_id", "file", "content_type").first()
    )
    if attachment is None or not attachment.file:
        return not_found(request, _("未找到该照片。"))
    try:
        get_event_for(user, attachment.event_id)
    except DomainError:
        return not_found(request, _("未找到该照片。"))
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type or None)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
