"""Public pages, no login: a resident reports a problem (/grid/report/), gets a receipt number, follows it
(/grid/track/ → /grid/track/<receipt>/: the state, the timeline, the public reply and the after-photos)
and rates the result after closure. CSRF stays on. Nothing personal of anyone is shown, and nothing
leaves but through the publication path (event_selectors.public_status, grid.events.publication)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError, NotFound
from grid.events.publication import public_photo
from grid.events.rating import do_rate_event
from grid.events.report import do_report_event
from grid.events.selectors import effective_item, event_by_receipt, normalize_receipt, public_status
from grid.models import EventChannel
from grid.web.common import attach_error, render_page
from grid.web.forms import PublicReportForm, RatingForm, TrackForm
from grid.web.mobile import area_features, geo_labels, map_config

REPORT_FIELDS = {"category_code": "category", "kind": "category", "grid_code": "lon"}


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = PublicReportForm(request.POST or None, request.FILES or None, initial={"crs": "wgs84"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, code = data["category"]
        if data["lon"] is None:
            form.add_error("lon", _("请在地图上点选问题位置，或使用当前位置。"))
        else:
            try:
                event = do_report_event(
                    actor=None,
                    now=timezone.now(),
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
            except DomainError as error:
                if error.status == 429:
                    form.add_error(None, error.message)
                else:
                    attach_error(form, error, REPORT_FIELDS)
            else:
                request.session["grid_last_receipt"] = event.receipt_number
                return HttpResponseRedirect(
                    reverse("grid:public_receipt", args=[event.receipt_number]), status=303
                )
    context = {"form": form, "map_config": map_config(area_features()), "geo_labels": geo_labels()}
    return render_page(request, "grid/public/report.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def receipt(request: HttpRequest, receipt: str) -> HttpResponse:
    """Shown once after reporting: the receipt number to keep, and the state in the tracking page's words."""
    if request.session.get("grid_last_receipt") != receipt:
        return HttpResponseRedirect(reverse("grid:public_status", args=[receipt]))
    try:
        event = event_by_receipt(receipt)
    except NotFound:
        return HttpResponseRedirect(reverse("grid:public_status", args=[receipt]))
    info = public_status(event)
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
            event_by_receipt(number)
        except NotFound:
            form.add_error("receipt", unknown_receipt(number))
        else:
            return HttpResponseRedirect(reverse("grid:public_status", args=[number]))
    return render_page(request, "grid/public/track.html", {"form": form}, status=404 if form.errors else 200)


def _status_page(request: HttpRequest, receipt: str, form: RatingForm, status: int = 200) -> HttpResponse:
    try:
        event = event_by_receipt(receipt)
    except NotFound:
        context = {"form": TrackForm(initial={"receipt": receipt[:20]}), "unknown": unknown_receipt(receipt)}
        return render_page(request, "grid/public/track.html", context, status=404)
    info = public_status(event)
    return render_page(request, "grid/public/status.html", {"info": info, "form": form}, status=status)


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
    try:
        event = event_by_receipt(receipt)
    except NotFound as error:
        raise Http404(_("未找到该照片。")) from error
    attachment = public_photo(effective_item(event), attachment_id)
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
