"""The grid's three lists (三张清单): basic information and patrol items (the third list, responsibilities,
is computed from the responsibility list in grid/models/standards.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grid.models.standards import Category


class GridBasicInfo(models.Model):
    """The grid's basic-information list (基础信息清单); grid head and workers come from assignments."""

    grid = models.OneToOneField(
        "territory.Grid",
        verbose_name=_("网格"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="basic_info",
    )
    households = models.PositiveIntegerField(_("户数"), default=0)
    residents = models.PositiveIntegerField(_("人口数"), default=0)
    places = models.PositiveIntegerField(_("场所数"), default=0)
    key_places = models.PositiveIntegerField(_("重点场所数"), default=0)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    estates = models.CharField(_("小区/自然村"), max_length=300, blank=True)
    note = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("网格基础信息")
        verbose_name_plural = _("网格基础信息")

    def __str__(self) -> str:
        return f"{self.grid_id} 基础信息"


class PatrolFrequency(models.TextChoices):
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")


class PatrolItem(models.Model):
    """One line of the grid's patrol-items list (巡查事项清单)."""

    grid = models.ForeignKey(
        "territory.Grid", verbose_name=_("网格"), on_delete=models.CASCADE, related_name="patrol_items"
    )
    name = models.CharField(_("巡查事项"), max_length=100)
    category = models.ForeignKey(
        Category,
        verbose_name=_("关联分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    frequency = models.CharField(_("频次"), max_length=10, choices=PatrolFrequency.choices)
    checkpoint = models.CharField(_("巡查点位"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    # Issued for a key place (重点场所) falling due: the inspection period it belongs to starts on `due_on`
    # (grid/patrols/key_places.py); one item per place and period, the previous period's item retired.
    key_place = models.ForeignKey(
        "registry.KeyPlace",
        verbose_name=_("重点场所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("本期巡查起始日"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("巡查事项")
        verbose_name_plural = _("巡查事项清单")
        ordering = ["grid_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_place", "due_on"],
                condition=Q(key_place__isnull=False),
                name="patrol_item_one_per_key_place_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.name}"
