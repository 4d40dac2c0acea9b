"""The residents' pages: online application (网上申请) with phone verification by SMS code, the
confirmation after filing, and the follow-up by receipt number and the phone's last four digits."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from approvals import actions, selectors
from approvals.forms import OnlineForm, TrackForm
from approvals.models import Channel, ServiceItem
from approvals.pages.common import attach, page, refuse
from core import pii, ratelimit
from core.errors import DomainError, NotFound

PHONE_PURPOSE = "approvals_apply"


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
        return refuse(request, _("该服务事项不存在或已停用。"), 404)
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
                attach(form, error)
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
            attach(form, error)
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
