"""The outbox in the admin: what is waiting, what went out, and the dead letters, which an operator can
send again ("重新发送"). Rows are read-only here; state changes go through `delivery` and the actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from notifications.actions import do_requeue_message
from notifications.selectors import dead_letter_count
from outbox.models import OutboxMessage


class DeadLetterFilter(admin.SimpleListFilter):
    """A one-click way to the dead letters, with their count."""

    title = gettext_lazy("死信")
    parameter_name = "dead_letter"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("yes", _("仅死信（%(count)d）") % {"count": dead_letter_count()}),
            ("no", _("非死信")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(state=OutboxMessage.State.DEAD)
        if self.value() == "no":
            return queryset.exclude(state=OutboxMessage.State.DEAD)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "channel",
        "recipient",
        "address",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = (DeadLetterFilter, "state", "channel", "kind")
    search_fields = ("kind", "address", "subject", "recipient__username", "last_error")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    actions = ("requeue",)

    @admin.display(description=gettext_lazy("最近错误"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:80]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        dead = dead_letter_count()
        title = _("待发消息") + (_("（死信 %(count)d 条）") % {"count": dead} if dead else "")
        return super().changelist_view(request, extra_context={**(extra_context or {}), "title": title})

    @admin.action(description=gettext_lazy("重新发送"), permissions=["change"])
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        now = timezone.now()
        requeued = 0
        refused: list[str] = []
        for message in queryset.order_by("id"):
            try:
                do_requeue_message(message, actor=request.user, now=now)
            except DomainError as exc:
                refused.append(f"#{message.pk}: {exc.message}")
            else:
                requeued += 1
        if requeued:
            self.message_user(
                request, _("已重新发送 %(count)d 条消息。") % {"count": requeued}, messages.SUCCESS
            )
        if refused:
            self.message_user(request, _("未重新发送：") + "；".join(refused), messages.WARNING)
