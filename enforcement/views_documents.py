"""Case page actions on documents and publication: generate a numbered form, open a stored PDF or the
assembled case file, publish / withdraw a decision. Thin: parse → action (which checks access) → redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.requests import acting_user
from core.errors import DomainError
from core.pdf import PDF_MEDIA_TYPE
from enforcement.cases.document_actions import (
    CASE_FILE_ROLES,
    access_case,
    do_assemble_case_file,
    do_generate_document,
)
from enforcement.cases.publication import do_publish_decision, do_withdraw_publication
from enforcement.models import Case, CaseDocument
from enforcement.selectors import cases_for


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "enforcement/not_found.html", status=404)


def _case(request: HttpRequest, case_id: int) -> Case | None:
    """The case if it lies in the user's jurisdiction: a case elsewhere and a missing one answer alike,
    before any input is looked at."""
    return cases_for(acting_user(request)).filter(pk=case_id).first()


@login_required
@require_POST
def generate_document(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    if case is None:
        return _not_found(request)
    try:
        document = do_generate_document(
            case, request.POST.get("kind", ""), actor=acting_user(request), now=timezone.now()
        )
    except DomainError as error:
        if error.status == 404:
            return _not_found(request)
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已生成 %(kind)s %(number)s。")
            % {
                "kind": document.get_kind_display(),
                "number": document.number,
            },
        )
    return redirect("enforcement:case", case_id=case_id)


@login_required
def document_pdf(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse | FileResponse:
    try:
        case = access_case(acting_user(request), case_id, CASE_FILE_ROLES)
    except DomainError as error:
        return _not_found(request) if error.status == 404 else HttpResponse(error.message, status=403)
    document = CaseDocument.objects.filter(case=case, pk=document_id).first()
    if document is None:
        return _not_found(request)
    response = FileResponse(document.pdf.open("rb"), content_type=PDF_MEDIA_TYPE)
    response["Content-Disposition"] = f'inline; filename="{document.kind}-{document.pk}.pdf"'
    return response


@login_required
def case_file(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    if case is None:
        return _not_found(request)
    try:
        pdf = do_assemble_case_file(case, actor=acting_user(request), now=timezone.now())
    except DomainError as error:
        return _not_found(request) if error.status == 404 else HttpResponse(error.message, status=403)
    response = HttpResponse(pdf, content_type=PDF_MEDIA_TYPE)
    response["Content-Disposition"] = f'inline; filename="case-{case_id}.pdf"'
    return response


@login_required
@require_POST
def publication(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    if case is None:
        return _not_found(request)
    actor, now = acting_user(request), timezone.now()
    try:
        if request.POST.get("action") == "withdraw":
            do_withdraw_publication(case, request.POST.get("reason", ""), actor=actor, now=now)
            messages.success(request, _("已撤下公示。"))
        else:
            do_publish_decision(case, actor=actor, now=now)
            messages.success(request, _("处罚决定已公示。"))
    except DomainError as error:
        if error.status == 404:
            return _not_found(request)
        messages.error(request, error.message)
    return redirect("enforcement:case", case_id=case_id)
