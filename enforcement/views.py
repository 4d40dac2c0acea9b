"""Pages of enforcement (under /enforcement/): the officer's case list and case page with the actions the
engine offers, the squad leader's queue, the case's full-process record timeline, and the dispatcher's
conversion of a grid event. Desk pages (full width; one column on a phone). Views are parse → access →
action → render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.jurisdiction import user_roles
from accounts.models import Role
from accounts.requests import acting_user
from core import pii
from core.errors import DomainError
from core.replica import replica_reads
from enforcement import actions, selectors
from enforcement.cases.document_actions import DOCUMENT_ROLES
from enforcement.cases.documents import kinds_for
from enforcement.cases.surcharge import for_case as late_payment_surcharge
from enforcement.models import Case, DocumentKind, PartyKind, Publication, RecordKind, ServiceMethod
from grid.events.selectors import get_event_for
from workflow.access import available_actions
from workflow.deadlines import time_left, traffic_light
from workflow.listing import CappedPaginator, attach_item_references
from workflow.publishing import definition_for

# Inputs each action's form asks for (besides the reason): (name, label, type).
ACTION_INPUTS: dict[str, list[tuple[str, str, str]]] = {
    "decide_on_spot": [
        ("fine_amount", "罚款金额（元，空=按拟处罚）", "number"),
        ("method", "送达方式", "method"),
    ],
    "submit_report": [
        ("proposed_fine", "拟罚款金额（元）", "number"),
        ("discretion_justification", "超出裁量基准的书面理由", "text"),
    ],
    "legal_review_pass": [("opinion", "法制审核意见", "text")],
    "legal_review_return": [("opinion", "法制审核意见", "text")],
    "record_discussion": [("conclusion", "集体讨论结论", "text")],
    "request_hearing": [
        ("hearing_at", "听证时间", "datetime"),
        ("hearing_chair", "听证主持人（用户名）", "text"),
    ],
    "end_notice": [("waived", "当事人明确放弃陈述申辩和听证", "checkbox")],
    "decide": [
        ("fine_amount", "罚款金额（元，空=按拟处罚）", "number"),
        ("penalty_summary", "其他处罚内容", "text"),
    ],
    "serve": [("method", "送达方式", "method"), ("recipient", "受送达人", "text")],
}


def _row(case: Case, now: datetime) -> dict[str, Any]:
    item = case.work_item
    state_title = definition_for(item).states[item.state].title if item else ""
    left = time_left(item, now) if item else None
    return {
        "case": case,
        "state": item.state if item else "",
        "state_title": state_title,
        "light": traffic_light(item, now) if item else None,
        "time_left": left.display if left else "",
        "payment_overdue": bool(case.payment_due_at and not case.paid_at and now > case.payment_due_at),
        "surcharge": late_payment_surcharge(case, now),
    }


def _documents_state(case: Case, has_documents: bool) -> str:
    """What the case page's 文书 section says: the documents when there are any; otherwise "not yet"
    only while the case is still running. A case archived or ended without any (cases from before the
    platform made documents, filed on paper) says so rather than promising them."""
    if has_documents:
        return "listed"
    if case.archived_at is not None or case.archive_number:
        return "paper_archived"
    if case.closed_at is not None or (case.work_item is not None and case.work_item.closed_at is not None):
        return "none"
    return "not_yet"


@login_required
@replica_reads
def case_list(request: HttpRequest) -> HttpResponse:
    """The officer's cases (mine), the squad leader's queue (queue), or every case in jurisdiction."""
    user = acting_user(request)
    roles = user_roles(user)
    default = "queue" if Role.SQUAD_LEADER in roles else ("mine" if Role.OFFICER in roles else "all")
    view = request.GET.get("view", default)
    if view not in ("mine", "queue", "all"):
        view = default
    if view == "mine":
        queryset = selectors.officer_cases(user)
    elif view == "queue":
        queryset = selectors.squad_queue(user)
    else:
        queryset = selectors.cases_for(user).order_by("-created_at")
    lean = queryset.select_related(None).select_related("matter", "squad", "lead_officer", "work_item")
    page = CappedPaginator(lean, 25).get_page(request.GET.get("page"))
    attach_item_references([case.work_item for case in page.object_list])  # no query per row
    now = timezone.now()
    return render(
        request,
        "enforcement/cases.html",
        {
            "rows": [_row(case, now) for case in page],
            "page": page,
            "view": view,
            "views": [("mine", _("我的案件")), ("queue", _("中队待办")), ("all", _("全部案件"))],
            "can_open": bool(roles & {Role.OFFICER, Role.SQUAD_LEADER}),
        },
    )


def _case_or_404(request: HttpRequest, case_id: int) -> Case | HttpResponse:
    try:
        return selectors.case_for(acting_user(request), case_id)
    except DomainError:
        return render(request, "enforcement/not_found.html", status=404)


@login_required
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)
    case = _case_or_404(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    now = timezone.now()
    item = case.work_item
    offered = available_actions(item, user) if item is not None and actions.may_act(case, user) else []
    documents = list(case.documents.all())
    may_document = bool(user_roles(user) & DOCUMENT_ROLES)
    return render(
        request,
        "enforcement/case.html",
        {
            **_row(case, now),
            "party_number": pii.mask_id_number(pii.decrypt(case.party_number_enc))
            if case.party_number_enc
            else "",
            "party_name": case.party_name
            if case.party_kind == PartyKind.LEGAL
            else pii.mask_name(case.party_name),
            "actions": [(a, ACTION_INPUTS.get(a.name, [])) for a in offered],
            "methods": ServiceMethod.choices,
            "record_kinds": [c for c in RecordKind.choices if c[0] != RecordKind.DOCUMENT],
            "record": case.record.all(),
            "officers": case.officers.all(),
            "documents": documents,
            "documents_state": _documents_state(case, bool(documents)),
            "document_kinds": [(kind, DocumentKind(kind).label) for kind in kinds_for(case.procedure)],
            "may_document": may_document,
            # An archived case takes no new document (document_actions refuses it): no form to try.
            "may_generate": may_document and case.archived_at is None and not case.archive_number,
            "publication": Publication.objects.filter(case=case).first(),
            "services": case.services.all(),
            "can_record": item is not None and item.closed_at is None and actions.may_act(case, user),
        },
    )


def _inputs_from(request: HttpRequest, action: str) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for name, _label, kind in ACTION_INPUTS.get(action, []):
        value = request.POST.get(name, "").strip()
        if kind == "checkbox":
            inputs[name] = value == "on"
        elif kind == "datetime" and value:
            parsed = datetime.fromisoformat(value) if "T" in value else None
            if parsed is not None and parsed.tzinfo is None:
                parsed = timezone.make_aware(parsed)
            inputs[name] = parsed.isoformat() if parsed else value
        elif value:
            inputs[name] = value
    return inputs


@login_required
@require_POST
def case_act(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)
    case = _case_or_404(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    action = request.POST.get("action", "")
    try:
        actions.do_case_action(
            case,
            action,
            actor=user,
            now=timezone.now(),
            reason=request.POST.get("reason", ""),
            inputs=_inputs_from(request, action),
        )
    except ValueError:
        messages.error(request, _("时间格式无效。"))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已办理。"))
    return redirect("enforcement:case", case_id=case_id)


@login_required
@require_POST
def case_record(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)
    case = _case_or_404(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    try:
        actions.do_add_record(
            case,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            note=request.POST.get("note", ""),
            upload=request.FILES.get("file"),
            actor=user,
            now=timezone.now(),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已记入全过程记录。"))
    return redirect("enforcement:case", case_id=case_id)


@login_required
def convert_event(request: HttpRequest, event_id: int) -> HttpResponse:
    """转执法: the dispatcher picks the matter, the party and the officers."""
    user = acting_user(request)
    try:
        event = get_event_for(user, event_id)
    except DomainError:
        return render(request, "enforcement/not_found.html", status=404)
    if Role.DISPATCHER not in user_roles(user):
        return render(request, "enforcement/not_found.html", {"forbidden": True}, status=403)
    responsibility = selectors.responsible_for(code=event.grid_id)
    error: DomainError | None = None
    if request.method == "POST":
        data = {
            "matter": request.POST.get("matter", ""),
            "party_kind": request.POST.get("party_kind", ""),
            "party_name": request.POST.get("party_name", ""),
            "party_number": request.POST.get("party_number", ""),
            "party_credit_code": request.POST.get("party_credit_code", ""),
            "officers": request.POST.getlist("officers"),
        }
        try:
            case = actions.do_convert_grid_event(event, data, actor=user, now=timezone.now())
        except DomainError as problem:
            error = problem
        else:
            messages.success(request, _("已转为执法案件。"))
            return redirect("enforcement:case", case_id=case.pk)
    return render(
        request,
        "enforcement/convert.html",
        {
            "event": event,
            "matters": selectors.matters(),
            "responsibility": responsibility,
            "party_kinds": PartyKind.choices,
            "error": error,
            "post": request.POST,
        },
        status=400 if error else 200,
    )
