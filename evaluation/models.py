"""Officer points (执法案件评价积分): configurable rules, the assessments recorded on cases (legal-review
findings, overturned decisions, upheld complaints, file quality), the computed point entries per period,
and the officers flagged for rotation (淘汰换岗) with the history that led there.

Entries are derived data: `evaluation.actions.do_compute_points(period)` replaces a period's entries
and flags from the cases' transitions and the assessments, so recomputing is always safe."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def validate_period(value: str) -> None:
    if not PERIOD_RE.match(value or ""):
        raise ValidationError(_("考核期须为 YYYY-MM 格式，例如 2026-11。"), code="invalid_period")


class RuleBasis(models.TextChoices):
    """Where a rule's events come from."""

    STEP_ON_TIME = "step_on_time", _("环节按时办结")
    STEP_LATE = "step_late", _("环节超期办结")
    PUBLICATION_LATE = "publication_late", _("决定公示超期")
    ASSESSMENT = "assessment", _("案件评查/复议/投诉记录")


class PointRule(models.Model):
    """One configurable way to earn or lose points. `code` is what the computation looks up; a rule
    switched off (active=False) simply contributes nothing."""

    code = models.CharField(_("规则编码"), max_length=40, unique=True)
    description = models.CharField(_("规则说明"), max_length=200)
    basis = models.CharField(_("计分依据"), max_length=20, choices=RuleBasis.choices)
    points = models.IntegerField(_("分值（加分为正，扣分为负）"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.description}（{self.points:+d}）"


class RotationPolicy(models.Model):
    """淘汰换岗: an officer whose period total stays below `threshold` for `consecutive_periods`
    periods in a row is flagged. One row (pk 1), seeded by the migration, edited in the admin."""

    threshold = models.IntegerField(_("积分下限"), default=0)
    consecutive_periods = models.PositiveSmallIntegerField(_("连续考核期数"), default=3)
    updated_at = models.DateTimeField(_("更新时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("淘汰换岗规则")
        verbose_name_plural = _("淘汰换岗规则")

    def __str__(self) -> str:
        return f"< {self.threshold} × {self.consecutive_periods}"


class CaseAssessment(models.Model):
    """A finding recorded on a case by a legal reviewer, supervisor or leader, scored by the rule with
    code `rule_code` (basis assessment) for `officer` (the case's lead officer unless named)."""

    case = models.ForeignKey(
        "enforcement.Case", verbose_name=_("案件"), on_delete=models.CASCADE, related_name="assessments"
    )
    rule = models.ForeignKey(PointRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执法队员"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), db_index=True)

    class Meta:
        verbose_name = _("案件评查记录")
        verbose_name_plural = _("案件评查记录")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.rule_id}"


class PointEntry(models.Model):
    """One award or deduction for one officer in one period. `source` identifies what caused it (a
    transition, an assessment, a publication) so a recomputation produces the same rows."""

    period = models.CharField(_("考核期"), max_length=7, validators=[validate_period])
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执法队员"), on_delete=models.PROTECT, related_name="+"
    )
    squad = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("执法中队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    town_code = models.CharField(_("镇（街道）代码"), max_length=9, db_index=True)
    case = models.ForeignKey(
        "enforcement.Case",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="point_entries",
    )
    rule = models.ForeignKey(PointRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="+")
    points = models.IntegerField(_("分值"))
    reason = models.CharField(_("计分理由"), max_length=300)
    source = models.CharField(_("计分来源"), max_length=60)
    at = models.DateTimeField(_("发生时间"))

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["period", "officer_id", "at", "id"]
        indexes = [
            models.Index(fields=["period", "town_code"], name="pointentry_period_town_idx"),
            models.Index(fields=["period", "officer"], name="pointentry_period_officer_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "officer", "rule", "source"], name="pointentry_unique_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.officer_id} {self.points:+d}"


class PeriodComputation(models.Model):
    """When a period's points were last computed, by whom, and the policy used for the flags."""

    period = models.CharField(_("考核期"), max_length=7, unique=True, validators=[validate_period])
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("计算人"), on_delete=models.PROTECT, related_name="+"
    )
    entries = models.PositiveIntegerField(_("明细条数"), default=0)
    threshold = models.IntegerField(_("积分下限"))
    consecutive_periods = models.PositiveSmallIntegerField(_("连续考核期数"))

    class Meta:
        verbose_name = _("积分计算记录")
        verbose_name_plural = _("积分计算记录")
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class RotationFlag(models.Model):
    """淘汰换岗 flag: the officer was below the threshold in each of `history`'s periods (ending with
    `period`). `history`: [{"period", "points", "entries": [{"rule", "points", "reason", "case"}]}]."""

    period = models.CharField(_("考核期"), max_length=7, validators=[validate_period])
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执法队员"), on_delete=models.PROTECT, related_name="+"
    )
    squad = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("执法中队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    town_code = models.CharField(_("镇（街道）代码"), max_length=9, db_index=True)
    threshold = models.IntegerField(_("积分下限"))
    history = models.JSONField(_("积分历史"), default=list)
    flagged_at = models.DateTimeField(_("标记时间"))

    class Meta:
        verbose_name = _("淘汰换岗预警")
        verbose_name_plural = _("淘汰换岗预警")
        ordering = ["-period", "officer_id"]
        constraints = [models.UniqueConstraint(fields=["period", "officer"], name="rotationflag_unique")]

    def __str__(self) -> str:
        return f"{self.period} {self.officer_id}"
