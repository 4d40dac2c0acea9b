"""The answer to a log-in refused by a lockout (django-axes): the error envelope with 429 on the API, the
log-in page with a message elsewhere; both say when to retry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from audit.actions import record_event

LOCKED_OUT = "locked_out"


def _retry_after_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, _retry_after_seconds() // 60)
    return _("登录失败次数过多，账号或本机已被暂时锁定，请 %(minutes)s 分钟后再试或联系安全管理员解锁。") % {
        "minutes": minutes
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = {"errors": [{"code": LOCKED_OUT, "message": lockout_message(), "field": None}]}
        response = JsonResponse(body, status=429)
    else:
        form = AuthenticationForm(request, data=request.POST or None)
        context = {"form": form, "locked_out": lockout_message(), "next": request.POST.get("next", "")}
        response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = str(_retry_after_seconds())
    return response


def do_record_lockout(username: str, ip_address: str, *, now: datetime) -> None:
    """The moment a lockout starts (not every refused attempt during it): who was tried, from where.
    Kept beside the lockout answer rather than in accounts.actions, which is at its size limit."""
    with transaction.atomic():
        record_event(
            actor=None,
            action="accounts.locked_out",
            subject_type="accounts.user",
            subject_id=username[:80],
            after={"username": username[:150], "ip_address": ip_address[:64]},
            now=now,
        )
