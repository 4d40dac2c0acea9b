"""Log-in bookkeeping and API tokens."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import User
from audit.actions import record_event
from core.adminroles import AdminRole, has_admin_role
from core.errors import PermissionRefused


def do_issue_api_token(user: User, *, actor: User, now: datetime) -> Token:
    """The user's API token (created on first request, the same one afterwards)."""
    with transaction.atomic():
        if actor.pk != user.pk and not has_admin_role(actor, AdminRole.SECURITY):
            raise PermissionRefused("not_allowed", _("只能为本人签发令牌。"))
        token, created = Token.objects.get_or_create(user=user)
        record_event(
            actor=actor,
            action="accounts.api_token.issued",
            subject=user,
            after={"new": created},
            now=now,
        )
    return token


def do_record_login(user: User, *, now: datetime) -> None:
    with transaction.atomic():
        record_event(actor=user, action="accounts.login", subject=user, now=now)


def do_record_login_failure(username: str, *, now: datetime) -> None:
    """A failed log-in: the username tried (the password is never recorded)."""
    with transaction.atomic():
        record_event(
            actor=None,
            action="accounts.login_failed",
            subject_type="accounts.user",
            subject_id=username[:80],
            after={"username": username[:150]},
            now=now,
        )
