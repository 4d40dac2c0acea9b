"""Pages of approval services (under /approvals/). Public, no login: the catalogue, each item's service
guide (办事指南) with its flow chart and QR code, online application with phone verification, and the
follow-up by receipt number. Staff: one-window intake, proxy filing, the work list, the application page
with its history and actions, the printable receipt (受理回执), the authorisation report, and the
catalogue import/export. Views are parse → access → action → render."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, ParamSpec, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from accounts.requests import acting_user
from approvals import actions, selectors
from approvals.access import access_application_file, may_open_files
from approvals.api import run_action
from approvals.catalogue import record_of, template_bytes, workbook_bytes
from approvals.forms import (
    ActionForm,
    CatalogueFilterForm,
    ImportForm,
    OnlineForm,
    ProxyForm,
    TrackForm,
    WindowForm,
)
from approvals.models import Application, Channel, ServiceItem
from approvals.search import with_search_keys
from core import pii, ratelimit
from core.errors import DomainError, NotFound, PermissionRefused
from core.pdf import qr_svg
from core.replica import replica_reads
from core.spreadsheets import SpreadsheetImportError
from workflow.access import available_actions
from workflow.confirm import needs_confirmation
from workflow.publishing import definition_for
from workflow.selectors import timeline_of

P = ParamSpec("P")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHONE_PURPOSE = "approvals_apply"
STAFF_ROLES = selectors.STAFF_ROLES
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


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    user = request.user
    roles = user_roles(user) if user.is_authenticated else set()
    return render(request, template, {**context, "approvals_roles": roles}, status=status)


def _refuse(request: HttpRequest, message: str | Promise, status: int) -> HttpResponse:
    return page(request, "approvals/message.html", {"message": message, "status": status}, status=status)


def staff_required(
    roles: set[str] | set[Role], message: str | Promise
) -> Callable[[Callable[P, HttpResponse]], Callable[P, HttpResponse]]:
    def decorator(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            request = args[0]
            assert isinstance(request, HttpRequest)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            user = request.user
            if not (user_roles(user) & roles or user.is_superuser):
                return _refuse(request, message, 403)
            try:
                return view(*args, **kwargs)
            except NotFound:
                return _refuse(request, _("该申请不存在，或不在您的管辖范围内。"), 404)

        return wrapper

    return decorator


def _attach(form: forms.Form, error: DomainError) -> None:
    """The error on its field (`materials.2` is the form's `materials_2`), else above the form; each
    problem of a refusal of several materials on its own field."""
    for problem in error.problems if isinstance(error, actions.MaterialsRefused) else [error]:
        name = (problem.field or "").removeprefix("inputs.")
        name = name if name in form.fields else name.replace(".", "_")
        form.add_error(name if name in form.fields else None, problem.message)


# ---------------------------------------------------------------------------------------------- public


@require_http_methods(["GET"])
def catalogue(request: HttpRequest) -> HttpResponse:
    centres = [(c.code, c.name) for c in selectors.service_centres().order_by("territory_code", "code")]
    form = CatalogueFilterForm(request.GET or None, centres=centres)
    filters = selectors.ItemFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.ItemFilters(
            level=d["level"], item_type=d["type"], theme=d["theme"], centre=d["centre"], q=d["q"]
        )
    paginator = Paginator(selectors.catalogue(filters), 30)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page_obj,
        "query": query.urlencode(),
        "total": paginator.count,
        "can_import_catalogue": _can_import_catalogue(request),
    }
    return page(request, "approvals/catalogue.html", context)


# Who imports the catalogue (and so needs its template): the data steward, as `import_catalogue` says.
IMPORT_ROLES = {Role.DATA_STEWARD}
IMPORT_REFUSED = gettext_lazy("只有数据管理员可以导入服务事项目录。")


def _can_import_catalogue(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and (user.is_superuser or user_roles(user) & IMPORT_ROLES))


def flow_svg(steps: list[str]) -> str:
    """The guide's flow steps as an inline SVG of boxes and arrows (no external service)."""
    from django.utils.html import escape

    box_w, box_h, gap, pad = 112, 40, 34, 8
    count = max(1, len(steps))
    label = escape(" → ".join(steps))
    width = pad * 2 + count * box_w + (count - 1) * gap
    height = box_h + pad * 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow" role="img"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-label="{label}">',
        '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z" fill="#2f5d8a"/></marker></defs>',
    ]
    for index, step in enumerate(steps):
        x = pad + index * (box_w + gap)
        parts.append(
            f'<rect x="{x}" y="{pad}" width="{box_w}" height="{box_h}" rx="6"'
            ' fill="#eaf2fb" stroke="#2f5d8a"/>'
            f'<text x="{x + box_w / 2}" y="{pad + box_h / 2 + 5}" text-anchor="middle" font-size="14"'
            f' fill="#17324d">{index + 1}. {escape(step)}</text>'
        )
        if index < len(steps) - 1:
            x1 = x + box_w
            parts.append(
                f'<line x1="{x1 + 2}" y1="{pad + box_h / 2}" x2="{x1 + gap - 4}" y2="{pad + box_h / 2}"'
                ' stroke="#2f5d8a" stroke-width="2" marker-end="url(#arrow)"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


@require_http_methods(["GET"])
def guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.get_item(code)
    except NotFound:
        return _refuse(request, _("该服务事项不存在或已停用。"), 404)
    version = item.current_version
    assert version is not None
    url = request.build_absolute_uri(reverse("approvals:guide", args=[item.implementation_code]))
    context = {
        "item": item,
        "v": version,
        "flow": mark_safe(flow_svg(version.flow_steps)),  # noqa: S308 (built from escaped text above)
        "qr": mark_safe(qr_svg(url)),  # noqa: S308 (segno's own SVG)
        "guide_url": url,
        "centres": selectors.centres_for_item(item),
        "channels": [
            {"window": _("窗口"), "online": _("网上"), "post": _("邮寄")}.get(c, c) for c in version.channels
        ],
    }
    return page(request, "approvals/guide.html", context)


def _item_or_404(request: HttpRequest, code: str) -> ServiceItem | None:
    try:
        return selectors.get_item(code)
    except NotFound:
        return None


@require_http_methods(["GET", "POST"])
def apply_online(request: HttpRequest, code: str) -> HttpResponse:
    """网上申请: the resident fills the form, confirms the phone with an SMS code (step `verify`, or with the
    final `submit`), chooses a file for each material and submits; `do_file_application` checks the files
    and the application lands in the centre's pre-check (预审). A confirmed phone stays confirmed in the
    session for VERIFIED_FOR, so a refused submission (a missing material, a bad file) costs no new code.
    A refused form keeps what was typed; files are never kept and must be chosen again (the page says so)."""
    from outbox.phone_codes import do_send_phone_code

    item = _item_or_404(request, code)
    if item is None:
        return _refuse(request, _("该服务事项不存在或已停用。"), 404)
    version = item.current_version
    assert version is not None
    centres = selectors.centres_for_item(item)
    now = timezone.now()
    form = OnlineForm(
        request.POST or None,
        request.FILES or None,
        materials=version.materials,
        max_bytes=actions.max_upload_bytes(),
    )
    centre_code = request.POST.get("centre", "")
    step = request.POST.get("step", "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        applicant = actions.ApplicantInput(
            data["applicant_kind"], data["applicant_name"], data["applicant_number"], data["applicant_phone"]
        )
        try:
            centre = next((c for c in centres if c.code == centre_code), None)
            if centre is None:
                raise DomainError("invalid", _("请选择受理中心。"), field="centre")
            if step == "send":
                actions.clean_applicant(applicant)
                do_send_phone_code(phone=data["applicant_phone"], purpose=PHONE_PURPOSE, now=now)
                messages.info(request, _("验证码已发送到您的手机，请在5分钟内输入。"))
            elif step == "verify":
                _confirm_phone(request, data["applicant_phone"], data["code"], now)
                messages.success(request, _("手机号码已验证，请上传材料后提交申请。"))
            else:
                if not _phone_verified(request, data["applicant_phone"], now):
                    _confirm_phone(request, data["applicant_phone"], data["code"], now)
                application = actions.do_file_application(
                    actor=_system(),
                    now=now,
                    item_code=item.implementation_code,
                    centre=centre,
                    channel=Channel.ONLINE,
                    applicant=applicant,
                    attachments=form.uploads(),
                )
                request.session.pop(SESSION_VERIFIED_PHONE, None)
                request.session["approvals_last_receipt"] = application.receipt_no
                return HttpResponseRedirect(
                    reverse("approvals:submitted", args=[application.receipt_no]), status=303
                )
        except DomainError as error:
            if error.field == "centre":
                form.add_error(None, error.message)
            else:
                _attach(form, error)
    context = {
        "item": item,
        "form": form,
        "centres": centres,
        "centre_code": centre_code,
        "phone_verified": _phone_verified(request, request.POST.get("applicant_phone", ""), now),
        # Whatever happened, files chosen in this post are not kept: the browser must send them again.
        "files_dropped": bool(request.FILES),
        "max_mb": settings.APPROVALS_UPLOAD_MAX_MB,
        "max_files": settings.APPROVALS_UPLOAD_MAX_FILES,
        "upload_labels": {
            "chosen": _("已选 {n} 个文件：{names}"),
            "tooLarge": _("「{name}」超过 {mb} MB，请换一个较小的文件。"),
            "tooMany": _("全部材料合计最多 {n} 个文件，请减少。"),
            "uploading": _("正在上传，请稍候…"),
        },
    }
    return page(request, "approvals/apply.html", context, status=400 if form.errors else 200)


SESSION_VERIFIED_PHONE = "approvals_verified_phone"
VERIFIED_FOR = timedelta(minutes=30)


def _phone_key(phone: str) -> str:
    from outbox.phone_codes import normalize_phone

    try:
        return pii.lookup_hash(normalize_phone(phone))
    except DomainError:
        return ""


def _phone_verified(request: HttpRequest, phone: str, now: datetime) -> bool:
    """The session's resident confirmed this phone's code within VERIFIED_FOR."""
    held = request.session.get(SESSION_VERIFIED_PHONE) or {}
    key = _phone_key(phone)
    until = held.get("until")
    return bool(key and held.get("phone") == key and until and datetime.fromisoformat(until) > now)


def _confirm_phone(request: HttpRequest, phone: str, code: str, now: datetime) -> None:
    from outbox.phone_codes import do_confirm_phone_code

    do_confirm_phone_code(phone=phone, code=code, purpose=PHONE_PURPOSE, now=now)
    request.session[SESSION_VERIFIED_PHONE] = {
        "phone": _phone_key(phone),
        "until": (now + VERIFIED_FOR).isoformat(),
    }


def _system() -> User:
    from workflow.actors import system_actor

    return system_actor()


@require_http_methods(["GET"])
def submitted(request: HttpRequest, receipt_no: str) -> HttpResponse:
    if request.session.get("approvals_last_receipt") != receipt_no:
        return HttpResponseRedirect(reverse("approvals:track"))
    return page(request, "approvals/submitted.html", {"receipt_no": receipt_no})


@require_http_methods(["GET"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    progress = None
    status = 200
    if request.GET and form.is_valid():
        now = timezone.now()
        budgets = _track_budgets(request, form.cleaned_data["receipt_no"])
        try:
            ratelimit.refuse_if_exhausted(budgets, now=now, code="too_many_attempts", message=TRACK_BLOCKED)
            try:
                app = selectors.track(form.cleaned_data["receipt_no"], form.cleaned_data["phone_last4"])
            except DomainError:
                ratelimit.spend(budgets, now=now)
                raise
            progress = selectors.public_progress(app, now)
        except DomainError as error:
            _attach(form, error)
            status = 429 if error.status == 429 else status
    if status == 200 and form.errors and not form.has_error("phone_last4") and request.GET:
        status = 404
    return page(request, "approvals/track.html", {"form": form, "progress": progress}, status=status)


TRACK_BLOCKED = "查询失败次数过多，请稍后再试，或携带受理回执到窗口查询。Too many attempts; try again later."


def _track_budgets(request: HttpRequest, receipt_no: str) -> list[ratelimit.Budget]:
    """Wrong guesses of the phone's last four digits, per receipt and per client: 10,000 combinations
    must not be walkable, from one address or from many."""
    return [
        ratelimit.Budget(
            "approvals-track-receipt",
            (receipt_no or "").strip().upper(),
            int(getattr(settings, "APPROVALS_TRACK_FAILURES_PER_RECEIPT_DAY", 10)),
            timedelta(days=1),
        ),
        ratelimit.Budget(
            "approvals-track-client",
            ratelimit.client_address(request),
            int(getattr(settings, "APPROVALS_TRACK_FAILURES_PER_CLIENT_HOUR", 30)),
            timedelta(hours=1),
        ),
    ]


@staff_required(IMPORT_ROLES, IMPORT_REFUSED)
@require_http_methods(["GET"])
def template_xlsx(request: HttpRequest) -> HttpResponse:
    """The catalogue's import template: for the staff who import it, not for residents."""
    response = HttpResponse(template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="service-items-template.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------- staff


@staff_required({Role.WINDOW_CLERK}, _("只有窗口人员可以窗口受理。"))
@require_http_methods(["GET", "POST"])
def window(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    centres = selectors.clerk_centres(user)
    if not centres:
        return _refuse(request, _("您没有窗口岗位。"), 403)
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
            _attach(form, error)
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
        return _refuse(request, _("您所在的区域没有便民服务中心。"), 403)
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
            _attach(form, error)
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
                _attach(form, error)
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
        return _refuse(request, _("只有受理中心的窗口人员和审批单位的人员可以查看申请材料。"), 403)
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


@staff_required(IMPORT_ROLES, IMPORT_REFUSED)
@require_http_methods(["GET", "POST"])
def import_catalogue(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = actions.do_import_catalogue(
                upload, actor=acting_user(request), now=timezone.now(), filename=upload.name or ""
            )
        except SpreadsheetImportError as error:
            problems = error.problems
            form.add_error("file", _("文件有 %(n)d 处错误，未导入任何数据。") % {"n": len(problems)})
        except DomainError as error:
            form.add_error("file", error.message)
    status = 400 if form.errors else 200
    return page(
        request,
        "approvals/import.html",
        {"form": form, "problems": problems, "result": result},
        status=status,
    )


@staff_required(STAFF_ROLES, _("您无权导出目录。"))
@require_http_methods(["GET"])
def export_catalogue(request: HttpRequest) -> HttpResponse:
    items = selectors.catalogue().select_related("agency")
    response = HttpResponse(workbook_bytes([record_of(i) for i in items]), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="service-items.xlsx"'
    return response
