"""Second factor (TOTP, django-otp): optional for everyone, required for administrators and auditors
(ZHILI_OTP_REQUIRED). A signed-in user who needs it and has not passed it this session is sent to enrol
(first time) or to enter a code; the API answers 403 `otp_required` instead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core.adminroles import admin_roles_of
from core.pdf import qr_svg

# Paths a user who still owes the second factor may reach: the second-factor pages themselves, log-out,
# the language switch, static files and the health probe.
_OPEN_PREFIXES = ("/login/", "/logout/", "/i18n/", "/static/", "/healthz/", "/favicon.ico")


def second_factor_required(user: Any) -> bool:
    """Administrators (staff, superusers) and auditors by default; anyone who enrolled a device. Demo
    personas are exempt only in demo mode and only when ZHILI_OTP_DEMO_EXEMPT allows it."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_system", False):
        return False
    if settings.DEMO_MODE and getattr(settings, "OTP_DEMO_EXEMPT", False) and getattr(user, "is_demo", False):
        return False
    if user_has_device(user, confirmed=True):
        return True
    if not getattr(settings, "OTP_REQUIRED_FOR_ADMINS", True):
        return False
    if user.is_staff or user.is_superuser or admin_roles_of(user):
        return True
    return Role.AUDITOR in user_roles(user)


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware: holds a signed-in user at the second-factor pages until verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            getattr(user, "is_authenticated", False)
            and not request.path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()  # type: ignore[union-attr]
            and second_factor_required(user)
        ):
            if request.path.startswith("/api/"):
                message = _("需要先完成双因素验证。Second factor required.")
                body = {"errors": [{"code": "otp_required", "message": message, "field": None}]}
                return JsonResponse(body, status=403)
            target = "otp_verify" if user_has_device(user, confirmed=True) else "otp_setup"
            return HttpResponseRedirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\d{6}$",
        label=gettext_lazy("动态验证码"),
        error_messages={"invalid": gettext_lazy("请输入6位数字验证码。")},
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if allowed else "/"


def do_confirm_device(device: TOTPDevice, *, actor: User, now: datetime) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(actor=actor, action="accounts.otp_enrolled", subject=actor, now=now)


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user_has_device(user, confirmed=True):
        return HttpResponseRedirect(reverse("otp_verify"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            do_confirm_device(device, actor=user, now=timezone.now())
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        form.add_error("token", _("验证码不正确或已过期。"))
    if form.errors:
        status = 400
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    context = {"form": form, "qr": qr_svg(device.config_url), "secret": secret, "next": _next(request)}
    return render(request, "accounts/otp_setup.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return HttpResponseRedirect(reverse("otp_setup"))
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # TOTPDevice throttles itself: each failure doubles the wait before the next try is checked.
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        form.add_error("token", _("验证码不正确或已过期。"))
    if form.errors:
        status = 400
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)}, status=status)
