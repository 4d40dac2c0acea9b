"""The admin-maintained holiday table: one CalendarYear per year whose State Council notice has been
entered, and its CalendarDay exceptions (holidays, adjusted working days). Read via `service`, written via
`actions`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose working days come from this table. Its presence alone makes the table win over
    chinese_calendar and the Monday–Friday fallback for every day of the year."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source_note = models.CharField(
        _("依据"), max_length=200, blank=True, help_text=_("例如国务院办公厅通知文号")
    )
    published_at = models.DateTimeField(_("发布时间"))
    # Bumped by every change; process caches compare (year, revision) pairs to notice edits made elsewhere.
    revision = models.PositiveIntegerField(_("修订号"), default=1)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("节假日")
    WORKDAY = "workday", _("调休上班")


class CalendarDay(models.Model):
    """An exception to Monday–Friday within a CalendarYear: a day off, or a weekend day worked (调休)."""

    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("日历年度"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()
