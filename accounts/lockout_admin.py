"""django-axes' admin pages, bound to the security administrator: deleting attempt rows unlocks an account
or address, so only a security administrator may (whatever model permissions someone was given), and
each delete is audited through accounts.unlock. The logs are read-only here (their housekeeping is the
`axes_reset_*logs` commands). Installed from AccountsConfig.ready(), after the admin's autodiscovery."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.unlock import do_reset_attempt_rows, may_unlock


class UnlockAccessAttemptAdmin(AccessAttemptAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and may_unlock(request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not may_unlock(request.user):
            actions.pop("cleanup_expired_attempts", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        do_reset_attempt_rows(AccessAttempt.objects.filter(pk=obj.pk), actor=request.user, now=timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        do_reset_attempt_rows(queryset, actor=request.user, now=timezone.now())


class ReadOnlyAccessLogAdmin(AccessLogAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAccessFailureLogAdmin(AccessFailureLogAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def install() -> None:
    for model, model_admin in (
        (AccessAttempt, UnlockAccessAttemptAdmin),
        (AccessLog, ReadOnlyAccessLogAdmin),
        (AccessFailureLog, ReadOnlyAccessFailureLogAdmin),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)
