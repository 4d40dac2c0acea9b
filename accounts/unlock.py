"""Unlocking log-in lockouts (django-axes attempts and failure logs): the security administrator's task
(三员分立), from the `axes_reset*` commands and the admin alike. Every reset writes an audit row naming
who unlocked what and how many attempt rows went; anyone else is refused, and the refusal is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit.actions import record_event
from core.adminroles import AdminRole, has_admin_role
from core.errors import PermissionRefused


def may_unlock(actor: Any) -> bool:
    """None is the host operator of a demo/test installation (see core.adminroles.command_actor)."""
    return actor is None or getattr(actor, "is_system", False) or has_admin_role(actor, AdminRole.SECURITY)


def check_may_unlock(actor: Any, what: dict[str, Any], *, now: datetime) -> None:
    if may_unlock(actor):
        return
    with transaction.atomic():  # stays on record whatever the caller rolls back
        record_event(
            actor=actor,
            action="accounts.lockout_reset_refused",
            subject_type="axes.accessattempt",
            subject_id="",
            after=what,
            now=now,
        )
    raise PermissionRefused("not_allowed", _("只有安全管理员可以解除登录锁定。"))


def _record(actor: Any, what: dict[str, Any], count: int, *, now: datetime) -> None:
    record_event(
        actor=actor,
        action="accounts.lockout_reset",
        subject_type="axes.accessattempt",
        subject_id=str(what.get("username") or what.get("ip_address") or "")[:80],
        after={**what, "removed": count},
        now=now,
    )


def do_reset_lockouts(
    *,
    actor: Any,
    now: datetime,
    username: str | None = None,
    ip_address: str | None = None,
    ip_or_username: bool = False,
) -> int:
    """Remove the attempts (and so the lockouts) of `username` and/or `ip_address`; neither: all of them.
    Returns how many attempt rows went."""
    what = {"username": username or "", "ip_address": ip_address or "", "all": not (username or ip_address)}
    check_may_unlock(actor, what, now=now)
    with transaction.atomic():
        count = int(
            AxesProxyHandler.reset_attempts(
                ip_address=ip_address, username=username, ip_or_username=ip_or_username
            )
        )
        _record(actor, what, count, now=now)
    return count


def do_reset_attempt_rows(queryset: QuerySet[AccessAttempt], *, actor: Any, now: datetime) -> int:
    """The admin's delete of chosen attempt rows: one audit row per unlocked (username, address)."""
    rows = list(queryset.values_list("pk", "username", "ip_address"))
    check_may_unlock(actor, {"rows": len(rows)}, now=now)
    with transaction.atomic():
        AccessAttempt.objects.filter(pk__in=[pk for pk, _u, _ip in rows]).delete()
        for _pk, username, address in rows:
            _record(
                actor, {"username": username or "", "ip_address": address or "", "all": False}, 1, now=now
            )
    return len(rows)


def do_reset_logs(*, actor: Any, now: datetime, age_days: int, failures: bool) -> int:
    """Remove failure log (`failures`) or access log rows older than `age_days` (housekeeping)."""
    model = "axes.accessfailurelog" if failures else "axes.accesslog"
    what = {"log": model, "older_than_days": age_days}
    check_may_unlock(actor, what, now=now)
    reset = AxesProxyHandler.reset_failure_logs if failures else AxesProxyHandler.reset_logs
    with transaction.atomic():
        count = int(reset(age_days=age_days))
        record_event(
            actor=actor,
            action="accounts.lockout_logs_reset",
            subject_type=model,
            subject_id="",
            after={**what, "removed": count},
            now=now,
        )
    return count
