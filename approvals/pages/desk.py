"""The staff's pages: one-window intake (一窗受理), proxy filing by grid workers (代办), the work list,
the application page with its materials, history and actions, a material's file, the printable receipt
(受理回执) and the authorisation report."""

from __future__ import annotations

import mimetypes
from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role, User
from accounts.requests import acting_user
from approvals import actions, selectors
from approvals.access import access_application_file, may_open_files
from approvals.api import run_action
from approvals.forms import ActionForm, ProxyForm, WindowForm
from approvals.models import Application, Channel
from approvals.pages.common import STAFF_ROLES, attach, page, refuse, staff_required
from approvals.search import with_search_keys
from core.errors import DomainError, PermissionRefused
from core.pdf import qr_svg
from core.replica import replica_reads
from workflow.access import available_actions
from workflow.confirm import needs_confirmation
from workflow.publishing import definition_for
from workflow.selectors import timeline_of

ACTION_NAMES = {
    "accept": "accept",
    "request_intake_corrections": "corrections",
    "request_review_corrections": "corrections",
    "resubmit": "resume",
    "review_corrected": "resume",
    "refuse_acceptance": "refuse",
    "complete_on_spot": "complete",
    "pass_review": "review",
    "approve": "decide",
    "refuse": "decide",
    "deliver": "deliver",
    "withdraw": "withdraw",
}


@staff_required({Role.WINDOW_CLERK}, _("只有窗口人员可以窗口受理。"))
@require_http_methods(["GET", "POST"])
def window(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    centres = selectors.clerk_centres(user)
    if not centres:
        return refuse(request, _("您没有窗口岗位。"), 403)
    centre = next((c for c in centres if c.code == request.GET.get("centre")), centres[0])
    items = with_search_keys(selectors.items_of_centre(centre))
    item_code = request.GET.get("item", "")
    item = next((i for i in items if i.implementation_code == item_code), None)
    materials = item.current_version.materials if item is not None and item.current_version else []
    form = WindowForm(request.POST or None, request.FILES or None, materials=materials)
    if request.method == "POST" and item is not None and form.is_valid():
        data = form.cleaned_data
        scans = [(_("扫描件"), f) for f in data["scans"]]
        try:
            app = actions.do_take_application(
                actor=user,
                now=timezone.now(),
                decision=data["decision"],
                reason=data["reason"],
                item_code=item.implementation_code,
                centre=centre,
                applicant=actions.ApplicantInput(
                    data["applicant_kind"],
                    data["applicant_name"],
                    data["applicant_number"],
                    data["applicant_phone"],
                ),
                materials=data["materials"],
                attachments=scans,
            )
        except DomainError as error:
            attach(form, error)
        else:
            messages.success(request, _("已登记，受理编号 %(no)s。") % {"no": app.receipt_no})
            return HttpResponseRedirect(reverse("approvals:application", args=[app.pk]), status=303)
    context = {"centres": centres, "centre": centre, "items": items, "item": item, "form": form}
    return page(request, "approvals/window.html", context, status=400 if form.errors else 200)


@staff_required({Role.GRID_WORKER}, _("只有网格员可以代办。"))
@require_http_methods(["GET", "POST"])
def proxy(request: HttpRequest) -> HttpResponse:
    """代办: the grid worker files for a resident at the centre of their town (or village station)."""
    user = acting_user(request)
    from accounts.jurisdiction import jurisdiction_codes

    codes = jurisdiction_codes(user)
    centres = [
        c
        for c in selectors.service_centres().order_by("code")
        if any(code.startswith(c.territory_code) for code in codes)
    ]
    if not centres:
        return refuse(request, _("您所在的区域没有便民服务中心。"), 403)
    centre = next((c for c in centres if c.code == request.GET.get("centre")), centres[0])
    items = with_search_keys(selectors.items_of_centre(centre))
    item = next((i for i in items if i.implementation_code == request.GET.get("item", "")), None)
    materials = item.current_version.materials if item is not None and item.current_version else []
    form = ProxyForm(request.POST or None, materials=materials)
    if request.method == "POST" and item is not None and form.is_valid():
        data = form.cleaned_data
        try:
            app = actions.do_file_application(
                actor=user,
                now=timezone.now(),
                item_code=item.implementation_code,
                centre=centre,
                channel=Channel.PROXY,
                applicant=actions.ApplicantInput(
                    data["applicant_kind"],
                    data["applicant_name"],
                    data["applicant_number"],
                    data["applicant_phone"],
                ),
                materials=data["materials"],
                proxy_consent=data["proxy_consent"],
            )
        except DomainError as error:
            attach(form, error)
        else:
            messages.success(
                request, _("代办已提交，受理编号 %(no)s，已短信告知申请人。") % {"no": app.receipt_no}
            )
            return HttpResponseRedirect(reverse("approvals:application", args=[app.pk]), status=303)
    context = {"centres": centres, "centre": centre, "items": items, "item": item, "form": form}
    return page(request, "approvals/proxy.html", context, status=400 if form.errors else 200)


@staff_required(STAFF_ROLES, _("您无权查看办件。"))
@require_http_methods(["GET"])
@replica_reads
def worklist(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    now = timezone.now()
    waiting = selectors.attach_references(selectors.lean_applications(selectors.worklist(user))[:100])
    newest = selectors.lean_applications(selectors.applications_visible_to(user)).order_by(
        "-submitted_at", "-id"
    )
    mine = [(a, selectors.progress_of(a, now)) for a in waiting]
    recent = [(a, selectors.progress_of(a, now)) for a in selectors.attach_references(newest[:50])]
    return page(request, "approvals/worklist.html", {"mine": mine, "recent": recent})


@staff_required(STAFF_ROLES, _("您无权查看办件。"))
@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    user = acting_user(request)
    app = selectors.get_application_for(user, application_id)
    now = timezone.now()
    names = [m["name"] for m in app.materials]
    form = ActionForm(request.POST or None, material_names=names)
    confirming = ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        name = ACTION_NAMES.get(data["action"], data["action"])
        if data["action"] == "refuse":
            data["approve"] = False
        elif data["action"] == "approve":
            data["approve"] = True
        item = app.work_item
        action_def = definition_for(item).actions.get(data["action"]) if item else None
        offered = {a.name for a in available_actions(item, user)} if item else set()
        if data["action"] in offered and needs_confirmation(action_def, request.POST):
            # 不予受理, 不予许可, 撤回: a reason first, then the form comes back asking to confirm.
            if not (data.get("reason") or "").strip():
                form.add_error("reason", _("请填写理由。"))
            else:
                confirming = data["action"]
        else:
            try:
                run_action(app, name, data, actor=user, now=now)
            except DomainError as error:
                attach(form, error)
            else:
                messages.success(request, _("已办理。"))
                return HttpResponseRedirect(reverse("approvals:application", args=[app.pk]), status=303)
            app = selectors.get_application_for(user, application_id)
    item = app.work_item
    actions_now = available_actions(item, user) if item is not None else []
    context = {
        "app": app,
        "progress": selectors.progress_of(app, now),
        "timeline": timeline_of(item) if item is not None else [],
        "actions": actions_now,
        "has_destructive": any(a.destructive for a in actions_now),
        "form": form,
        "confirming": confirming,
        **_material_files(app, user),
    }
    return page(request, "approvals/application.html", context, status=400 if form.errors else 200)


def _material_files(app: Application, user: User) -> dict[str, Any]:
    """The application's materials, each with the files that came for it (a resident's uploads), and the
    files of no listed material (a clerk's scans); links only for those who may open them."""
    files = list(app.attachments.all())
    names = {m["name"] for m in app.materials}
    return {
        "materials": [(m, [f for f in files if f.material == m["name"]]) for m in app.materials],
        "attachments": [f for f in files if f.material not in names],
        "may_open_files": may_open_files(user, app),
    }


@staff_required(STAFF_ROLES, _("您无权查看办件。"))
@require_http_methods(["GET"])
def attachment(request: HttpRequest, application_id: int, attachment_id: int) -> HttpResponse:
    """A material of the application — uploaded by the resident online, or scanned at intake — for the
    staff who handle it (approvals.access; files are never public: no MEDIA_URL is served). Outside the
    jurisdiction, or not this application's: 404; in the jurisdiction but not handling it: 403."""
    try:
        scan = access_application_file(acting_user(request), application_id, attachment_id)
    except PermissionRefused:
        return refuse(request, _("只有受理中心的窗口人员和审批单位的人员可以查看申请材料。"), 403)
    content_type, _encoding = mimetypes.guess_type(scan.file.name or "")
    response = FileResponse(scan.file.open("rb"), content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    # A streamed file, which the page decorators (typed for HttpResponse) pass through unchanged.
    return cast(HttpResponse, response)


@staff_required(STAFF_ROLES, _("您无权查看办件。"))
@require_http_methods(["GET"])
def receipt(request: HttpRequest, application_id: int) -> HttpResponse:
    """受理回执, printable (the browser's print)."""
    app = selectors.get_application_for(acting_user(request), application_id)
    url = request.build_absolute_uri(reverse("approvals:track"))
    return page(
        request,
        "approvals/receipt.html",
        {"app": app, "progress": selectors.progress_of(app, timezone.now()), "qr": mark_safe(qr_svg(url))},  # noqa: S308
    )


@staff_required(STAFF_ROLES, _("您无权查看核查报告。"))
@require_http_methods(["GET"])
def report(request: HttpRequest) -> HttpResponse:
    return page(
        request, "approvals/report.html", {"report": selectors.authorisation_report(acting_user(request))}
    )
