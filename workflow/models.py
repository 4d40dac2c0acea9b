"""The workflow engine's data: process definitions and their versions, work items (the unified ledger),
transitions, and the notification outbox written in the same transaction as the change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A notification to deliver after the change that caused it has committed. Written in the same
    transaction as the change; delivered by `notifications` through a transport, with retries."""

    class Channel(models.TextChoices):
        CONSOLE = "console", _("控制台/日志")
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        DEAD = "dead", _("发送失败（死信）")

    created_at = models.DateTimeField(_("创建时间"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Phone number or e-mail address when the recipient is not a user (a resident).
    address = models.CharField(_("地址/号码"), max_length=200, blank=True)
    kind = models.CharField(_("消息类型"), max_length=80)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    payload = models.JSONField(_("附加数据"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.address or self.recipient_id} ({self.state})"
