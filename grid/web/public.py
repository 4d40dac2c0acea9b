"""Public pages, no login: a resident reports a problem (/grid/report/), gets a receipt number, follows it
(/grid/track/ → /grid/track/<receipt>/: the state, the timeline, the public reply and the after-photos)
and rates the result after closure. CSRF stays on. Nothing personal of anyone is shown, and nothing
leaves but through the publication path (event_selectors.public_status, grid.events.publication). A
report is received (grid.events.intake: checked in full, one intake row) and registered by the consumer;
until then the receipt and the tracking page show it as received (`status_by_receipt`)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError, NotFound, Unprocessable
from grid.events.intake import do_receive_report
from grid.events.publication import public_photo, public_report_photo
from grid.events.rating import do_rate_event
from grid.events.report import check_report_place
from grid.events.selectors import effective_item, event_by_receipt, normalize_receipt, status_by_receipt
from grid.models import EventAttachment, EventChannel, GridEvent
from grid.tasks import schedule_report_registration
from grid.web.common import attach_error, render_page
from grid.web.forms import PublicReportForm, RatingForm, TrackForm
from grid.web.mobile import area_features, geo_labels, map_config
from workflow.actors import system_actor
from workflow.idempotency import request_digest, run_once

REPORT_FIELDS = {"category_code": "category", "kind": "category", "grid_code": "lon"}
# A form token keys the report it created under the system user (workflow.idempotency), one namespace.
FORM_TOKEN_KEY = "grid.public_report:"  # noqa: S105 (a key prefix, not a secret)
# What a replayed form is compared by: everything the resident entered (not the CSRF token, which the
# page may renew between the two posts).
NOT_COMPARED = ("csrfmiddlewaretoken",)
SUBMIT_LABELS = {
    "sending": gettext_lazy("正在提交…"),
    "uploading": gettext_lazy("正在上传照片 {p}%"),
    "saving": gettext_lazy("正在保存，请稍候…"),
    "failed": gettext_lazy("提交没有成功，请检查网络后再点“提交”（不会重复登记）。"),
}

# The words of static/js/address_search.js: a standard address in the list, and what its choice did.
ADDRESS_SEARCH_LABELS = {
    "option": gettext_lazy("{address}（{where}）"),
    "noPoint": gettext_lazy("{where}：该地址暂无坐标，请在地图上点选问题位置。"),
    "nearPlace": gettext_lazy("已定位到{where}，请在地图上把标记移到问题的确切位置。"),
    "located": gettext_lazy("已按地址定位：{where}"),
}


def _new_form(
    data: QueryDict | None = None, files: MultiValueDict[str, Any] | None = None
) -> PublicReportForm:
    token = secrets.token_urlsafe(32)
    return PublicReportForm(data, files, initial={"crs": "wgs84", "form_token": token})


def _renew_token(form: PublicReportForm) -> None:
    """A fresh token on a form shown again after its token was spent (its next submit is a new report)."""
    assert isinstance(form.data, QueryDict)  # bound from request.POST.copy()
    data = form.data.copy()
    data["form_token"] = secrets.token_urlsafe(32)
    form.data = data


def _check_place_early(form: PublicReportForm) -> None:
    """On a form with other errors, whether its point lies in the district (the report's own rule), so a
    wrong pin is reported together with them on the first submit."""
    data = getattr(form, "cleaned_data", {})
    if form.has_error("lon") or form.has_error("lat") or data.get("lon") is None or data.get("lat") is None:
        return
    try:
        check_report_place(actor=None, lon=data["lon"], lat=data["lat"], crs=data.get("crs") or "wgs84")
    except DomainError as error:
        attach_error(form, error, REPORT_FIELDS)


def _file_report(request: HttpRequest, form: PublicReportForm) -> str | None:
    """The report filed (once per form token): its receipt number, or None with the refusal on the form."""
    data = form.cleaned_data
    kind, code = data["category"]
    now = timezone.now()

    def work() -> tuple[int, dict[str, Any]]:
        intake, _category = do_receive_report(
            now=now,
            channel=EventChannel.RESIDENT_WEB,
            category_code=code,
            kind=kind,
            description=data["description"],
            lon=data["lon"],
            lat=data["lat"],
            crs=data["crs"],
            address=data["address"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            photos=data["photos"],
            publish_consent=data["publish_consent"],
        )
        return 201, {"receipt_number": intake.receipt_number}

    try:
        if not data["form_token"]:
            number = str(work()[1]["receipt_number"])
            schedule_report_registration()
            return number
        body = request.POST.copy()
        for name in NOT_COMPARED:
            body.pop(name, None)
        digest = request_digest("POST", request.path, {**dict(body.lists()), **dict(request.FILES.lists())})
        _status, answer, replayed = run_once(
            user=system_actor(),
            key=FORM_TOKEN_KEY + data["form_token"],
            request_hash=digest,
            now=now,
            work=work,
        )
        if not replayed:
            schedule_report_registration()
        return str(answer["receipt_number"])
    except Unprocessable as error:
        if error.code != "idempotency_key_reused":
            raise
        # The same copy of the form sent again with other content (back, edit, submit): it was filed
        # once already; shown again with a fresh token, the next submit files the new content.
        _renew_token(form)
        form.add_error(None, _("这份表单已经提交过。如要再反映一个问题，请核对内容后再次提交。"))
    except DomainError as error:
        if error.status == 429:
            form.add_error(None, error.message)
        else:
            attach_error(form, error, REPORT_FIELDS)
    return None


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The report form. Every field, the place included, is checked on the first submit; a form is
    filed once whatever the number of its posts (the one-time form token)."""
    if request.method != "POST":
        form = _new_form()
    else:
        form = _new_form(request.POST.copy(), request.FILES)
        if not form.is_valid():
            _check_place_early(form)
            if form.has_error("form_token"):
                _renew_token(form)
        else:
            number = _file_report(request, form)
            if number is not None:
                request.session["grid_last_receipt"] = number
                return HttpResponseRedirect(reverse("grid:public_receipt", args=[number]), status=303)
    context = {
        "form": form,
        "map_config": map_config(area_features()),
        "geo_labels": geo_labels(),
        "submit_labels": SUBMIT_LABELS,
        "address_search_labels": ADDRESS_SEARCH_LABELS,
    }
    return render_page(request, "grid/public/report.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def receipt(request: HttpRequest, receipt: str) -> HttpResponse:
    """Shown once after reporting: the receipt number to keep, and the state in the tracking page's words."""
    if request.session.get("grid_last_receipt") != receipt:
        return HttpResponseRedirect(reverse("grid:public_status", args=[receipt]))
    try:
        info, _category = status_by_receipt(receipt, now=timezone.now())
    except NotFound:
        return HttpResponseRedirect(reverse("grid:public_status", args=[receipt]))
    return render_page(request, "grid/public/receipt.html", {"receipt": receipt, "info": info})


def unknown_receipt(number: str) -> str:
    return _(
        "未找到受理编号 %(number)s。请核对：受理编号以 SJ 开头，共 16 位字母和数字，"
        "见提交后的回执页面（字母 O 与数字 0 不必区分）。"
    ) % {"number": number[:40]}


@require_http_methods(["GET"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    if request.GET and form.is_valid():
        number = normalize_receipt(form.cleaned_data["receipt"])
        try:
            status_by_receipt(number, now=timezone.now())
        except NotFound:
            form.add_error("receipt", unknown_receipt(number))
        else:
            return HttpResponseRedirect(reverse("grid:public_status", args=[number]))
    return render_page(request, "grid/public/track.html", {"form": form}, status=404 if form.errors else 200)


def _status_page(request: HttpRequest, receipt: str, form: RatingForm, status: int = 200) -> HttpResponse:
    try:
        info, category = status_by_receipt(receipt, now=timezone.now())
    except NotFound:
        context = {"form": TrackForm(initial={"receipt": receipt[:20]}), "unknown": unknown_receipt(receipt)}
        return render_page(request, "grid/public/track.html", context, status=404)
    # The category in the page's language (the published status itself keeps the recorded name).
    context = {"info": info, "category_name": category.display_name, "form": form}
    return render_page(request, "grid/public/status.html", context, status=status)


@require_http_methods(["GET"])
def status(request: HttpRequest, receipt: str) -> HttpResponse:
    return _status_page(request, receipt, RatingForm())


@require_POST
def rate(request: HttpRequest, receipt: str) -> HttpResponse:
    try:
        event = event_by_receipt(receipt)
    except NotFound:
        return _status_page(request, receipt, RatingForm())
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            do_rate_event(
                event,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                now=timezone.now(),
            )
        except DomainError as error:
            attach_error(form, error)
            return _status_page(request, receipt, form, status=error.status)
        messages.success(request, _("感谢您的评价！"))
        return HttpResponseRedirect(reverse("grid:public_status", args=[event.receipt_number]), status=303)
    return _status_page(request, receipt, form, status=400)


@require_http_methods(["GET"])
def photo(request: HttpRequest, receipt: str, attachment_id: int) -> HttpResponse | FileResponse:
    """An after-photo of a report, for whoever holds its receipt number: only the photos the tracking
    page shows (grid.events.publication.after_photo_ids); any other id is a 404 like an unknown one."""
    event = _event_or_404(receipt)
    return _photo_response(public_photo(effective_item(event), attachment_id))


@require_http_methods(["GET"])
def report_photo(request: HttpRequest, receipt: str, attachment_id: int) -> HttpResponse | FileResponse:
    """A photo a resident sent with their own report (Open311's `media_url`): only those
    grid.events.publication.is_public_report_photo admits; any other id is a 404 like an unknown one."""
    event = _event_or_404(receipt)
    return _photo_response(public_report_photo(event, attachment_id))


def _event_or_404(receipt: str) -> GridEvent:
    try:
        return event_by_receipt(receipt)
    except NotFound as error:
        raise Http404(_("未找到该照片。")) from error


def _photo_response(attachment: EventAttachment | None) -> FileResponse:
    """The stored (re-encoded) file of a public photo; 404 when there is none or it is gone from storage."""
    if attachment is None or not attachment.file:
        raise Http404(_("未找到该照片。"))
    try:
        stored = attachment.file.open("rb")
    except OSError as error:  # listed but gone from storage: as unknown, never a server error
        raise Http404(_("未找到该照片。")) from error
    response = FileResponse(stored, content_type=attachment.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
