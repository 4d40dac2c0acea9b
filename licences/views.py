"""Pages of licences: the public verification page (/verify/), the 24-hour self-service (/selfservice/),
and staff pages for certificates (download, revoke) and the property-register import (/licences/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.requests import acting_user
from core import ratelimit
from core.errors import DomainError, NotFound
from core.pdf import qr_svg
from core.pii import decrypt, encrypt, mask_id_number, mask_phone
from core.spreadsheets import SpreadsheetImportError
from licences import selectors
from licences.access import may_manage_certificates
from licences.actions import do_revoke_certificate
from licences.documents import pdf_response, public_base_url, verify_path, verify_url
from licences.forms import CodeForm, NoHousingForm, PropertyImportForm, RevokeForm, VerifyForm
from licences.imports import IMPORT_ROLES, do_import_property_records, template_workbook
from licences.models import Certificate, PropertyRecord
from licences.selfservice import PHONE_PURPOSE, do_issue_no_housing_certificate, normalize_id_number
from outbox.phone_codes import do_confirm_phone_code, do_send_phone_code, normalize_phone

# SMS codes one client address may ask for per hour (a kiosk serves many residents; a script should not).
CODES_PER_ADDRESS_HOUR = 30
SESSION_PENDING = "licences_selfservice_pending"
SESSION_ISSUED = "licences_selfservice_issued"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pdf(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    """The certificate's PDF, or the page saying why it cannot be given out (no public address: 503)."""
    try:
        return pdf_response(certificate)
    except DomainError as error:
        return render(request, "licences/refused.html", {"error": error}, status=error.status)


def _attach(form: forms.Form, error: DomainError) -> None:
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


def throttle_codes(request: HttpRequest) -> None:
    """SMS codes per client address and hour, counted in the shared cache; over the limit → 429."""
    limit = int(getattr(settings, "LICENCES_CODES_PER_ADDRESS_HOUR", CODES_PER_ADDRESS_HOUR))
    ratelimit.enforce_for_client(
        request,
        "licences-codes",
        limit=limit,
        window=timedelta(hours=1),
        now=timezone.now(),
        code="too_many_codes",
        message="获取验证码过于频繁，请稍后再试。",
    )


# Public verification ------------------------------------------------------------------------------------


@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        identifier = form.cleaned_data["identifier"].strip().upper()
        return HttpResponseRedirect(reverse("licences:verify", args=[identifier]))
    return render(request, "licences/verify_lookup.html", {"form": form})


@require_GET
def verify(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        certificate = selectors.certificate_by_identifier(identifier)
    except NotFound:
        context = {"identifier": identifier, "form": VerifyForm(initial={"identifier": identifier})}
        return render(request, "licences/verify.html", context, status=404)
    info = selectors.public_certificate(certificate, timezone.now())
    return render(request, "licences/verify.html", {"identifier": identifier, "info": info})


# 24-hour self-service ------------------------------------------------------------------------------------


@require_GET
def selfservice_home(request: HttpRequest) -> HttpResponse:
    return render(request, "licences/selfservice/home.html", {})


@require_http_methods(["GET", "POST"])
def no_housing_start(request: HttpRequest) -> HttpResponse:
    form = NoHousingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            id_number = normalize_id_number(data["id_number"])
            phone = normalize_phone(data["phone"])
            public_base_url()  # no certificate can be issued: say so before a code is sent
            throttle_codes(request)
            do_send_phone_code(phone=phone, purpose=PHONE_PURPOSE, now=timezone.now())
        except DomainError as error:
            _attach(form, error)
            status = error.status
        else:
            request.session.pop(SESSION_ISSUED, None)  # a shared kiosk: the previous resident's PDF goes
            request.session[SESSION_PENDING] = {
                "name": data["name"].strip(),
                "id_number": encrypt(id_number),
                "phone": encrypt(phone),
            }
            return HttpResponseRedirect(reverse("licences:no_housing_confirm"), status=303)
    elif request.method == "POST":
        status = 400
    return render(request, "licences/selfservice/no_housing.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def no_housing_confirm(request: HttpRequest) -> HttpResponse:
    pending: dict[str, str] | None = request.session.get(SESSION_PENDING)
    if not pending:
        return HttpResponseRedirect(reverse("licences:no_housing"))
    phone, id_number = decrypt(pending["phone"]), decrypt(pending["id_number"])
    form = CodeForm(request.POST if request.POST.get("action") != "resend" else None)
    context: dict[str, Any] = {
        "form": form,
        "phone": mask_phone(phone),
        "id_number": mask_id_number(id_number),
    }
    status = 200
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            throttle_codes(request)
            do_send_phone_code(phone=phone, purpose=PHONE_PURPOSE, now=timezone.now())
            context["resent"] = True
        except DomainError as error:
            context["resend_error"] = error.message
            status = error.status
    elif request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            public_base_url()  # refused before the code is spent, so the resident can come back with it
            do_confirm_phone_code(phone=phone, code=form.cleaned_data["code"], purpose=PHONE_PURPOSE, now=now)
            outcome = do_issue_no_housing_certificate(name=pending["name"], id_number=id_number, now=now)
        except DomainError as error:
            _attach(form, error)
            status = error.status
        else:
            del request.session[SESSION_PENDING]
            result: dict[str, Any] = {"outcome": outcome, "name": pending["name"]}
            if outcome.certificate is not None:
                issued = [*request.session.get(SESSION_ISSUED, []), outcome.certificate.identifier]
                request.session[SESSION_ISSUED] = issued[-10:]
                url = verify_url(outcome.certificate)
                result.update(
                    {"certificate": outcome.certificate, "verify_url": url, "qr": qr_svg(url, scale=4)}
                )
                result["info"] = selectors.public_certificate(outcome.certificate, now)
            return render(request, "licences/selfservice/result.html", result)
    elif request.method == "POST":
        status = 400
    return render(request, "licences/selfservice/confirm.html", context, status=status)


@require_POST
def selfservice_finish(request: HttpRequest) -> HttpResponse:
    """结束办理: forget everything of this visit (kiosks are shared)."""
    request.session.flush()
    return HttpResponseRedirect(reverse("licences:selfservice"), status=303)


@require_GET
def selfservice_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    """The certificate this browser session was just given (kiosk print / phone download)."""
    if identifier not in request.session.get(SESSION_ISSUED, []):
        return render(request, "licences/not_found.html", {}, status=404)
    return _pdf(request, selectors.certificate_by_identifier(identifier))


# Staff pages ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    certificates = selectors.certificates_visible_to(acting_user(request))
    if query:
        certificates = certificates.filter(identifier__icontains=query) | certificates.filter(
            holder_name__icontains=query
        )
    rows = list(certificates.order_by("-issued_at", "-id")[:100])
    now = timezone.now()
    return render(
        request,
        "licences/staff/list.html",
        {"rows": [(c, c.status_at(now)) for c in rows], "q": query},
    )


def _detail(
    request: HttpRequest, certificate: Certificate, form: RevokeForm, status: int = 200
) -> HttpResponse:
    user = acting_user(request)
    context = {
        "certificate": certificate,
        "info": selectors.public_certificate(certificate, timezone.now()),
        "form": form,
        "may_revoke": may_manage_certificates(user, certificate.issuer) and certificate.revoked_at is None,
        "verify_path": verify_path(certificate),
    }
    return render(request, "licences/staff/detail.html", context, status=status)


@login_required
@require_GET
def certificate_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        certificate = selectors.get_certificate_for(acting_user(request), identifier)
    except NotFound:
        return render(request, "licences/not_found.html", {}, status=404)
    return _detail(request, certificate, RevokeForm())


@login_required
@require_GET
def certificate_pdf_view(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        certificate = selectors.get_certificate_for(acting_user(request), identifier)
    except NotFound:
        return render(request, "licences/not_found.html", {}, status=404)
    return _pdf(request, certificate)


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, identifier: str) -> HttpResponse:
    user = acting_user(request)
    try:
        certificate = selectors.get_certificate_for(user, identifier)
    except NotFound:
        return render(request, "licences/not_found.html", {}, status=404)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _detail(request, certificate, form, status=400)
    try:
        do_revoke_certificate(certificate, actor=user, now=timezone.now(), reason=form.cleaned_data["reason"])
    except DomainError as error:
        _attach(form, error)
        return _detail(request, certificate, form, status=error.status)
    return HttpResponseRedirect(reverse("licences:certificate", args=[certificate.identifier]), status=303)


@login_required
@require_http_methods(["GET", "POST"])
def property_import(request: HttpRequest) -> HttpResponse:
    from accounts.jurisdiction import user_roles

    user = acting_user(request)
    if not user_roles(user) & IMPORT_ROLES:
        return render(
            request, "licences/forbidden.html", {"message": _("只有数据管理员可以导入产权登记。")}, status=403
        )
    form = (
        PropertyImportForm(request.POST, request.FILES) if request.method == "POST" else PropertyImportForm()
    )
    context: dict[str, Any] = {"form": form, "problems": [], "count": PropertyRecord.objects.count()}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = do_import_property_records(form.cleaned_data["file"], actor=user, now=timezone.now())
            except SpreadsheetImportError as error:
                context["problems"] = error.problems
                form.add_error(
                    "file", _("文件有 %(n)d 处错误，未导入任何数据。") % {"n": len(error.problems)}
                )
                status = 400
            except DomainError as error:
                _attach(form, error)
                status = error.status
            else:
                context.update(
                    {"result": result, "form": PropertyImportForm(), "count": PropertyRecord.objects.count()}
                )
        else:
            status = 400
    return render(request, "licences/staff/property_import.html", context, status=status)


@login_required
@require_GET
def property_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(), content_type=XLSX_MEDIA_TYPE)
    response["Content-Disposition"] = 'attachment; filename="property-register-template.xlsx"'
    return response
