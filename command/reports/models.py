"""A generated report (one per kind × territory × period, by a unique constraint) and a leader's
subscription to a territory's reports of one kind."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("周报")
    MONTHLY = "monthly", _("月报")
    QUARTERLY = "quarterly", _("季报")


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("电子邮件（附报告）")
    SMS = "sms", _("短信（下载链接）")


def report_upload_to(instance: Report, filename: str) -> str:
    return f"command/reports/{instance.territory_code}/{filename}"


class Report(models.Model):
    kind = models.CharField(_("报告类型"), max_length=10, choices=ReportKind.choices)
    territory_code = models.CharField(_("区划代码"), max_length=15)
    territory_name = models.CharField(_("区划名称"), max_length=100)
    period = models.CharField(_("期别"), max_length=10)  # 2026-03, 2026-W10, 2026-Q1
    first_day = models.DateField(_("开始日期（本地，含）"))
    end_day = models.DateField(_("结束日期（本地，不含）"))
    generated_at = models.DateTimeField(_("生成时间"))
    xlsx = models.FileField(_("XLSX"), upload_to=report_upload_to, max_length=200)
    xlsx_sha256 = models.CharField(_("XLSX 哈希(SHA-256)"), max_length=64)
    pdf = models.FileField(_("PDF"), upload_to=report_upload_to, max_length=200)
    pdf_sha256 = models.CharField(_("PDF 哈希(SHA-256)"), max_length=64)
    # The headline figures as generated, for the list and the API without opening the files.
    summary = models.JSONField(_("摘要"), default=dict)

    class Meta:
        verbose_name = _("定期报告")
        verbose_name_plural = _("定期报告")
        ordering = ["-first_day", "kind", "territory_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "territory_code", "first_day"], name="command_report_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["territory_code", "-first_day"], name="command_report_scope_idx")]

    def __str__(self) -> str:
        return f"{self.territory_name} {self.period} {self.get_kind_display()}"

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)


class ReportSubscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("订阅人"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("报告类型"), max_length=10, choices=ReportKind.choices)
    territory_code = models.CharField(_("区划代码"), max_length=15)
    channel = models.CharField(_("推送方式"), max_length=10, choices=DeliveryChannel.choices)
    # Where to deliver: an e-mail address or a mobile number, stored encrypted (personal data) and shown
    # masked; empty for e-mail means the user's own address.
    address_encrypted = models.TextField(_("地址/号码（加密）"), blank=True)
    address_display = models.CharField(_("地址/号码（脱敏）"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("订阅时间"))

    class Meta:
        verbose_name = _("报告订阅")
        verbose_name_plural = _("报告订阅")
        ordering = ["territory_code", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "territory_code", "channel"], name="command_report_subscription_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ← {self.territory_code} {self.kind} ({self.channel})"
