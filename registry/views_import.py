"""The import page of the registries (people with households, entities, standard addresses, houses and
buildings, key places): upload, then either the counts
or every problem, with the error report (XLSX) to download for the same user for ten minutes. A long
file (over REGISTRY_IMPORT_BACKGROUND_BYTES) is imported in the background: its page shows a progress
bar that polls the job until the same result is there."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_codes
from accounts.requests import acting_user
from core.spreadsheets import ImportProblem, SpreadsheetImportError, problems_workbook
from registry import access, import_jobs, tasks

REPORT_SECONDS = 600
BACKGROUND_BYTES = 1_000_000  # about 20,000 rows of CSV: longer files get the progress bar
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[
            ("people", _("人口与户")),
            ("entities", _("单位")),
            ("addresses", _("标准地址")),
            ("buildings", _("房屋（幢与户室）")),
            ("places", _("重点场所")),
        ],
    )
    file = forms.FileField(label=_("文件（xlsx 或 UTF-8 csv）"))


def problem_text(problem: ImportProblem | Mapping[str, Any] | str) -> str:
    """One problem as the file's importer words it (第2行「身份证号」：…), in the page's language. The
    column keeps the file's (Chinese) header, which is how the file names it, with its meaning beside it
    when the page is in another language."""
    if isinstance(problem, str):  # kept by a background job queued before problems were kept as rows
        return problem
    if isinstance(problem, ImportProblem):
        row, column, reason = problem.row, problem.column, problem.reason
    else:
        row, column, reason = problem["row"], problem["column"], problem["reason"]
    meaning = gettext(column) if column else ""
    values = {
        "row": row,
        "column": f"{column} ({meaning})" if meaning != column else column,
        "reason": reason,
    }
    if row and column:
        return gettext("第%(row)s行「%(column)s」：%(reason)s") % values
    if row:
        return gettext("第%(row)s行：%(reason)s") % values
    if column:
        return gettext("文件「%(column)s」：%(reason)s") % values
    return gettext("文件：%(reason)s") % values


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not (user.is_superuser or any(access.may_edit(user, code) for code in jurisdiction_codes(user))):
        return render(request, "registry/import.html", {"refused": True}, status=403)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        context["kind"] = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        if upload.size > int(getattr(settings, "REGISTRY_IMPORT_BACKGROUND_BYTES", BACKGROUND_BYTES)):
            token = tasks.queue_import(upload, form.cleaned_data["kind"], actor=user, now=timezone.now())
            return HttpResponseRedirect(reverse("registry:import_job", args=[token]), status=303)
        try:
            importer = import_jobs.IMPORTERS[form.cleaned_data["kind"]]
            context["report"] = importer(upload, actor=user, now=timezone.now())
        except SpreadsheetImportError as error:
            token = secrets.token_urlsafe(16)
            cache.set(
                f"registry:import-report:{user.pk}:{token}", problems_workbook(error.problems), REPORT_SECONDS
            )
            context.update(
                problems=[problem_text(p) for p in error.problems[:200]],
                problem_count=len(error.problems),
                token=token,
            )
    return render(request, "registry/import.html", context)


@login_required
def import_report(request: HttpRequest, token: str) -> HttpResponse:
    content = cache.get(f"registry:import-report:{acting_user(request).pk}:{token}")
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="import-errors.xlsx"'
    return response


@login_required
def import_job(request: HttpRequest, token: str) -> HttpResponse:
    """A background import: the progress bar (the fragment polls itself until the job has finished)."""
    state = import_jobs.state_for(acting_user(request), token)
    if state is None:
        raise Http404
    template = (
        "registry/_import_job.html" if request.headers.get("HX-Request") else "registry/import_job.html"
    )
    job = {**state, "problems": [problem_text(p) for p in state.get("problems", [])]}
    return render(request, template, {"job": job, "token": token})


@login_required
def import_job_report(request: HttpRequest, token: str) -> HttpResponse:
    content = import_jobs.error_report(acting_user(request), token)
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="import-errors.xlsx"'
    return response
