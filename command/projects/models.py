"""Key projects (重点工程/项目): a small register of the works a jurisdiction follows closely — owner unit,
territory, a point or an outline, milestones with planned and actual dates, progress and the work items
linked to it. Shapes are checked in `clean()` (admin and any later write path use it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

OUTLINE_TYPES = ("Polygon", "MultiPolygon")


def _ring_ok(ring: Any) -> bool:
    return (
        isinstance(ring, list | tuple)
        and len(ring) >= 4
        and list(ring[0]) == list(ring[-1])
        and all(
            isinstance(p, list | tuple)
            and len(p) >= 2
            and all(isinstance(v, int | float) for v in p[:2])
            and -180 <= p[0] <= 180
            and -90 <= p[1] <= 90
            for p in ring
        )
    )


def validate_outline(value: Any) -> None:
    """A GeoJSON Polygon or MultiPolygon geometry (WGS-84 lon/lat), closed rings of four points or more."""
    if value in (None, ""):
        return
    if not isinstance(value, dict) or value.get("type") not in OUTLINE_TYPES:
        raise ValidationError(_("轮廓须为 GeoJSON 的 Polygon 或 MultiPolygon 几何。"), code="invalid_outline")
    polygons = [value.get("coordinates")] if value["type"] == "Polygon" else value.get("coordinates")
    if not isinstance(polygons, list | tuple) or not polygons:
        raise ValidationError(_("轮廓缺少坐标。"), code="invalid_outline")
    for rings in polygons:
        if not isinstance(rings, list | tuple) or not rings or not all(_ring_ok(r) for r in rings):
            raise ValidationError(
                _("轮廓的每个环须首尾相同、至少四个经纬度点（经度 −180～180，纬度 −90～90）。"),
                code="invalid_outline",
            )


class KeyProject(models.Model):
    name = models.CharField(_("项目名称"), max_length=200)
    owner_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    territory_code = models.CharField(_("所在区划代码"), max_length=15, db_index=True)
    lon = models.FloatField(
        _("经度"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    lat = models.FloatField(
        _("纬度"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    outline = models.JSONField(_("轮廓（GeoJSON）"), null=True, blank=True, validators=[validate_outline])
    progress = models.PositiveSmallIntegerField(
        _("形象进度（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    description = models.TextField(_("简介"), blank=True)
    work_items = models.ManyToManyField(
        "workflow.WorkItem", verbose_name=_("关联事项"), blank=True, related_name="key_projects"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        ordering = ["territory_code", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="key_project_progress_le_100"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.lon is None) != (self.lat is None):
            raise ValidationError({"lat": _("经度和纬度须同时填写。")}, code="invalid")
        if not self.territory_code.isdigit() or len(self.territory_code) not in (6, 9, 12, 15):
            raise ValidationError({"territory_code": _("区划代码应为 6/9/12/15 位数字。")}, code="invalid")


class Milestone(models.Model):
    project = models.ForeignKey(
        KeyProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("节点"), max_length=200)
    planned_on = models.DateField(_("计划完成日期"))
    actual_on = models.DateField(_("实际完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return self.name
