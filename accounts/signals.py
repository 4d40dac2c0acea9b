"""Log-ins, failed log-ins and lockouts go to the audit trail (a failure records the username tried,
never the password)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from accounts.actions import do_record_login, do_record_login_failure
from accounts.lockout import do_record_lockout
from accounts.session import mark_seen_at_login


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    do_record_login(user, now=timezone.now())


@receiver(user_logged_in, dispatch_uid="accounts.session_seen_at_login")
def session_seen_at_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    mark_seen_at_login(request)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")
    do_record_login_failure(username, now=timezone.now())


@receiver(user_locked_out, dispatch_uid="accounts.audit_locked_out")
def audit_locked_out(
    sender: Any, request: Any, username: Any = None, ip_address: Any = None, **kwargs: Any
) -> None:
    # axes sends the signal again for each attempt refused during a lockout; only the failure that
    # reached the limit has a count, so one row per lockout.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    do_record_lockout(str(username or ""), str(ip_address or ""), now=timezone.now())
