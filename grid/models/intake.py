"""Residents' reports as received (受理登记): the request validates a report and writes one row here with
the receipt number the resident keeps; the intake consumer (grid/events/intake.py) turns pending rows into
events and work items in batches and marks each row registered."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grid.models.events import EventChannel, GridEvent


class IntakeState(models.TextChoices):
    PENDING = "pending", _("待登记")
    REGISTERED = "registered", _("已登记")
    FAILED = "failed", _("登记失败")


class ReportIntake(models.Model):
    """One resident report as received, validated in the request. `report` holds the checked fields the
    event is written from (the located grid, the WGS-84 point, the stored photos' names); the phone number
    only encrypted, as on the event. The receipt number is the event's once it exists (one event per row:
    the event's receipt column is unique)."""

    receipt_number = models.CharField(_("受理编号"), max_length=20, unique=True)
    channel = models.CharField(_("来源渠道"), max_length=15, choices=EventChannel.choices)
    received_at = models.DateTimeField(_("收到时间"))
    report = models.JSONField(_("反映内容"))
    reporter_phone_encrypted = models.TextField(_("联系电话（加密）"), blank=True)
    reporter_phone_hash = models.CharField(_("联系电话（检索摘要）"), max_length=64, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=IntakeState.choices, default=IntakeState.PENDING
    )
    # Due for (another) attempt from this moment: the sweep's index range, backed off after a failure.
    next_attempt_at = models.DateTimeField(_("下次登记时间"))
    attempts = models.PositiveSmallIntegerField(_("登记次数"), default=0)
    last_error = models.TextField(_("最近一次失败原因"), blank=True)
    event = models.OneToOneField(
        GridEvent,
        verbose_name=_("事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake",
    )
    registered_at = models.DateTimeField(_("登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("群众反映受理登记")
        verbose_name_plural = _("群众反映受理登记")
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="grid_intake_pending_idx",
                condition=Q(state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.get_state_display()}"
