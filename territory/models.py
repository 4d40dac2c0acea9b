"""The territory: divisions (district → town → village), grids with versioned boundaries, and
enforcement zones. Codes are hierarchical prefixes, so "inside X" is "code starts with X's code"."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Division(models.Model):
    class Level(models.TextChoices):
        DISTRICT = "district", _("区县")
        TOWN = "town", _("镇/街道")
        VILLAGE = "village", _("村/社区")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    seat_lon = models.FloatField(_("驻地经度"), null=True, blank=True)
    seat_lat = models.FloatField(_("驻地纬度"), null=True, blank=True)
    # GeoJSON geometry (Polygon or MultiPolygon), WGS-84.
    boundary = models.JSONField(_("边界"), null=True, blank=True)
    synthetic = models.BooleanField(_("边界为生成数据"), default=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Grid(models.Model):
    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("综合网格")
        DEDICATED = "dedicated", _("专属网格")

    class AreaClass(models.TextChoices):
        A = "A", _("A类区域")
        B = "B", _("B类区域")
        C = "C", _("C类区域")

    code = models.CharField(_("网格编码"), max_length=15, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    village = models.ForeignKey(
        Division, verbose_name=_("所属村/社区"), on_delete=models.PROTECT, related_name="grids"
    )
    kind = models.CharField(_("网格类型"), max_length=15, choices=Kind.choices, default=Kind.COMPREHENSIVE)
    dedicated_to = models.CharField(_("专属对象"), max_length=100, blank=True)
    area_class = models.CharField(_("区域类别"), max_length=1, choices=AreaClass.choices, default=AreaClass.B)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class GridBoundary(models.Model):
    """One version of a grid's boundary. The current one has valid_to = NULL; an old event keeps the
    grid it was filed in because grids are never renumbered, only re-drawn."""

    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="boundaries"
    )
    version = models.PositiveIntegerField(_("版本"))
    geometry = models.JSONField(_("边界"))
    valid_from = models.DateTimeField(_("生效时间"))
    valid_to = models.DateTimeField(_("失效时间"), null=True, blank=True)
    synthetic = models.BooleanField(_("生成数据"), default=False)
    source = models.CharField(_("来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("网格边界版本")
        verbose_name_plural = _("网格边界版本")
        ordering = ["grid_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "version"], name="grid_boundary_version_unique"),
        ]
        indexes = [models.Index(fields=["valid_to"], name="grid_boundary_valid_to_idx")]

    def __str__(self) -> str:
        return f"{self.grid_id} v{self.version}"


class EnforcementZone(models.Model):
    """执法片区: a group of villages of one town covered by one squad."""

    code = models.CharField(_("片区编码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    town = models.ForeignKey(
        Division, verbose_name=_("所属镇/街道"), on_delete=models.PROTECT, related_name="enforcement_zones"
    )
    villages = models.ManyToManyField(Division, verbose_name=_("包含村/社区"), related_name="zones")

    class Meta:
        verbose_name = _("执法片区")
        verbose_name_plural = _("执法片区")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class BoundaryRevision(models.Model):
    """One row (pk=1) counting changes to which grid covers a point. Actions that redraw, add, remove or
    (de)activate grids bump it; `territory.locate` compares it, with the current boundary rows' max id
    and count, to decide when to rebuild its in-memory index."""

    number = models.PositiveBigIntegerField(_("版本号"), default=0)
    changed_at = models.DateTimeField(_("变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("边界版本计数")
        verbose_name_plural = _("边界版本计数")

    def __str__(self) -> str:
        return f"#{self.number}"
