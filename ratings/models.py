"""好差评 (service ratings): one rating per application and stage (一事多评: after acceptance, after
completion), online, at the window or by SMS reply. A bad rating (不满意 / 非常不满意) opens a
rectification work item (process `rating_rectification`); an upheld appeal keeps the rating but marks it
excluded from the figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    ACCEPTED = "accepted", _("受理后评价")
    COMPLETED = "completed", _("办结后评价")


class RatingChannel(models.TextChoices):
    ONLINE = "online", _("网上评价")
    WINDOW = "window", _("窗口评价器")
    SMS = "sms", _("短信评价")


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)

# Dimension scores (1–5) per DOMAIN.md: online ratings judge the platform, offline ones the window.
ONLINE_DIMENSIONS: dict[str, str] = {
    "overall": "整体满意度",
    "efficiency": "办事效率",
    "guide_accuracy": "指南准确度",
    "convenience": "便捷度",
    "usability": "平台操作性",
}
OFFLINE_DIMENSIONS: dict[str, str] = {
    "overall": "整体满意度",
    "service_efficiency": "服务效率",
    "service_level": "服务水平",
    "service_attitude": "服务态度",
}


def dimensions_for(channel: str) -> dict[str, str]:
    return ONLINE_DIMENSIONS if channel == RatingChannel.ONLINE else OFFLINE_DIMENSIONS


class Rating(models.Model):
    application = models.ForeignKey(
        "approvals.Application",
        verbose_name=_("申请（办件）"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    stage = models.CharField(_("评价环节"), max_length=10, choices=Stage.choices)
    channel = models.CharField(_("评价渠道"), max_length=10, choices=RatingChannel.choices)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    # {dimension: 1..5}, the keys of ONLINE_DIMENSIONS or OFFLINE_DIMENSIONS by channel.
    scores = models.JSONField(_("分项评分"), default=dict, blank=True)
    comment = models.TextField(_("评价意见"), blank=True)
    # Denormalised from the application for the figures (per centre, window, item, clerk).
    centre = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("受理中心"), on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("窗口人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "approvals.ServiceItem", verbose_name=_("服务事项"), on_delete=models.PROTECT, related_name="+"
    )
    territory_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    rated_at = models.DateTimeField(_("评价时间"))
    # The staff member whose pad recorded a window rating (None online / by SMS).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectification = models.OneToOneField(
        "workflow.WorkItem",
        verbose_name=_("差评整改办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    # An upheld appeal (申诉成立): the rating stays, marked, and no longer counts in the figures.
    excluded_at = models.DateTimeField(_("剔除时间"), null=True, blank=True)
    exclusion_reason = models.TextField(_("剔除理由"), blank=True)
    # When the applicant was told the outcome of the rectification (SMS through the outbox).
    outcome_sent_at = models.DateTimeField(_("整改结果告知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "stage"], name="ratings_one_per_stage"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="ratings_level_range"),
        ]
        indexes = [
            models.Index(fields=["centre", "rated_at"], name="ratings_centre_idx"),
            models.Index(fields=["item", "rated_at"], name="ratings_item_idx"),
            models.Index(fields=["clerk", "rated_at"], name="ratings_clerk_idx"),
            models.Index(fields=["rated_at"], name="ratings_rated_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_stage_display()} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def excluded(self) -> bool:
        return self.excluded_at is not None
