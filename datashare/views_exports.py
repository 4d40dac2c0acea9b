"""Staff pages of the bulk export of people (under /datashare/people-exports/): request one, follow one's
requests and download the approved ones until they expire, decide the requests waiting in one's
jurisdiction. Parse → access → action → render; the rules are in `datashare.people_exports`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.jurisdiction import jurisdiction_codes
from accounts.models import User
from accounts.requests import acting_user
from core.errors import DomainError
from datashare import people_exports, selectors

# An action's error field → the form field it belongs to.
FORM_FIELDS = {
    "territory_code": "territory_code",
    "fields": "export_fields",
    "unmasked": "unmasked",
    "purpose": "purpose",
}


class PeopleExportForm(forms.Form):
    territory_code = forms.CharField(label=gettext_lazy("导出范围（区划或网格代码）"), max_length=15)
    export_fields = forms.MultipleChoiceField(
        label=gettext_lazy("字段"),
        choices=list(people_exports.EXPORT_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    unmasked = forms.MultipleChoiceField(
        label=gettext_lazy("需要原文的个人信息字段（其余脱敏）"),
        choices=[
            (f, people_exports.EXPORT_FIELDS[f])
            for f in people_exports.EXPORT_FIELDS
            if f in people_exports.PERSONAL
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purpose = forms.CharField(label=gettext_lazy("用途"), max_length=300, widget=forms.Textarea({"rows": 2}))


def _context(user: User, form: PeopleExportForm) -> dict[str, Any]:
    now = timezone.now()
    mine = list(selectors.people_exports_requested_by(user))
    labels = people_exports.EXPORT_FIELDS
    to_review = selectors.people_exports_to_review(user)
    for export in [*mine, *(row.export for row in to_review)]:
        export.field_names = "、".join(labels.get(f, f) for f in export.fields)  # type: ignore[attr-defined]
        export.clear_names = "、".join(labels.get(f, f) for f in export.unmasked)  # type: ignore[attr-defined]
        export.is_live = export.live(now)  # type: ignore[attr-defined]
        export.has_expired = export.status == "approved" and not export.is_live  # type: ignore[attr-defined]
    return {"form": form, "mine": mine, "to_review": to_review, "hours": people_exports.valid_hours()}


@login_required
@require_http_methods(["GET", "POST"])
def people_exports_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    codes = jurisdiction_codes(user)
    form = PeopleExportForm(request.POST or None, initial={"territory_code": codes[0] if codes else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = people_exports.do_request_people_export(
                territory_code=data["territory_code"],
                fields=data["export_fields"],
                unmasked=data["unmasked"],
                purpose=data["purpose"],
                actor=user,
                now=timezone.now(),
            )
        except DomainError as error:
            form.add_error(FORM_FIELDS.get(error.field or ""), error.message)
        else:
            messages.success(request, _("导出申请已提交（编号 %(id)s），等待上级审批。") % {"id": export.pk})
            return HttpResponseRedirect(reverse("datashare:people_exports"), status=303)
    status = 400 if form.errors else 200
    return render(request, "datashare/people_exports.html", _context(user, form), status=status)


@login_required
@require_POST
def review_people_export(request: HttpRequest, export_id: int) -> HttpResponse:
    """Approve or reject: the engine checks state, role and jurisdiction; the bound handler decides."""
    user = acting_user(request)
    try:
        export = people_exports.access_people_export(user, export_id)
        people_exports.do_review_people_export(
            export,
            request.POST.get("action", ""),
            reason=request.POST.get("reason", "").strip(),
            actor=user,
            now=timezone.now(),
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)
    else:
        messages.success(request, _("已处理导出申请 %(id)s。") % {"id": export_id})
    return HttpResponseRedirect(reverse("datashare:people_exports"), status=303)


@login_required
@require_GET
def download_people_export(request: HttpRequest, export_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        export = people_exports.access_people_export(user, export_id)
        content = people_exports.do_download_people_export(export, actor=user, now=timezone.now())
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("datashare:people_exports"), status=303)
    response = HttpResponse(content, content_type=people_exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="people-export-{export.pk}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
