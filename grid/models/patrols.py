"""Patrols (巡查): a grid worker's rounds and check-ins at the grid's patrol items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grid.models.events import GridEvent
from grid.models.lists import PatrolItem


class Patrol(models.Model):
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT, related_name="patrols"
    )
    grid = models.ForeignKey(
        "territory.Grid", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="patrols"
    )
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.started_at:%Y-%m-%d %H:%M}"


class PatrolCheckIn(models.Model):
    patrol = models.ForeignKey(
        Patrol, verbose_name=_("巡查"), on_delete=models.PROTECT, related_name="check_ins"
    )
    patrol_item = models.ForeignKey(
        PatrolItem, verbose_name=_("巡查事项"), on_delete=models.PROTECT, related_name="check_ins"
    )
    checked_at = models.DateTimeField(_("打卡时间"))
    lon = models.FloatField(_("经度(WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("纬度(WGS-84)"), null=True, blank=True)
    normal = models.BooleanField(_("情况正常"), default=True)
    note = models.TextField(_("说明"), blank=True)
    # The event reported from this check-in, when something was wrong.
    event = models.ForeignKey(
        GridEvent,
        verbose_name=_("上报事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("巡查打卡")
        verbose_name_plural = _("巡查打卡")
        ordering = ["patrol_id", "checked_at"]
        constraints = [
            models.UniqueConstraint(fields=["patrol", "patrol_item"], name="patrol_check_in_once"),
        ]

    def __str__(self) -> str:
        return f"{self.patrol_id} {self.patrol_item_id}"
