"""What the platform sends and how a resident without an account proves a phone: outbox messages,
written in the transaction of the change that causes them (delivered by `notifications`), and SMS
verification codes. Below the engine, so that every stream may queue a message or check a phone."""

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
        db_table = "workflow_outboxmessage"  # where the engine first kept it; moved without a copy

    def __str__(self) -> str:
        return f"{self.kind} → {self.address or self.recipient_id} ({self.state})"


class PhoneChallenge(models.Model):
    """One SMS verification code sent to a phone for a purpose. Only a keyed hash of the code and of the
    phone are kept (plus the encrypted phone, for support); the clear code exists only in the SMS."""

    purpose = models.CharField(_("用途"), max_length=40)
    phone_hash = models.CharField(_("手机号查询哈希"), max_length=64)
    phone_encrypted = models.TextField(_("手机号（加密）"))
    code_salt = models.CharField(_("验证码盐"), max_length=32)
    code_hash = models.CharField(_("验证码哈希"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("核验次数"), default=0)
    confirmed_at = models.DateTimeField(_("核验通过时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone_hash", "purpose", "created_at"], name="phone_challenge_lookup_idx")
        ]
        db_table = "licences_phonechallenge"  # where self-service first kept it; moved without a copy

    def __str__(self) -> str:
        return f"{self.purpose} #{self.pk}"
