"""Grid reference data: categories and the versioned filing/closing standard (立案/结案标准, CJ/T 214 /
GB/T 30428), the responsibility list (责任清单) and recorded routing decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workflow.english import in_english

# ---------------------------------------------------------------------------------------------------------
# Categories and the filing/closing standard
# ---------------------------------------------------------------------------------------------------------


class CategoryKind(models.TextChoices):
    EVENT = "event", _("事件")
    COMPONENT = "component", _("部件")


class TimeUnit(models.TextChoices):
    """The same unit names as the workflow engine's step limits."""

    WORK_HOURS = "work_hours", _("工作时")
    WORK_DAYS = "work_days", _("工作日")


class Category(models.Model):
    """A major class (大类, 2-digit code, no parent) or a minor class (小类, 4-digit code = major + 2 digits).
    Event and component trees reuse the same codes, so a category is identified by (kind, code)."""

    kind = models.CharField(_("类型"), max_length=10, choices=CategoryKind.choices)
    code = models.CharField(_("代码"), max_length=4)
    name = models.CharField(_("名称"), max_length=60)
    # The English name shown in an English session (display only; codes and Chinese names are the record).
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属大类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField(_("启用"), default=True)
    # Sensitive classes (e.g. domestic disputes): public outputs show the place only to ~100 m.
    public_location_coarse = models.BooleanField(_("公开时模糊位置"), default=False)

    class Meta:
        verbose_name = _("事部件分类")
        verbose_name_plural = _("事部件分类")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="grid_category_kind_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The name in the session's language: the English name in an English session (when there is
        one), else the Chinese name."""
        if self.name_en and in_english():
            return self.name_en
        return self.name

    @property
    def is_major(self) -> bool:
        return self.parent_id is None

    @property
    def major_code(self) -> str:
        return self.code[:2]


class CategoryStandardVersion(models.Model):
    """One published (or draft) edition of the filing/closing standard. Published versions are never
    edited: an event pins the version it was filed under. Exactly one version is active (current)."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("现行版本"), default=False)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("立案结案标准版本")
        verbose_name_plural = _("立案结案标准版本")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="grid_standard_one_active_version"
            ),
        ]

    def __str__(self) -> str:
        state = _("现行") if self.active else (_("草稿") if self.published_at is None else _("历史"))
        return f"v{self.number} ({state})"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class CategoryStandard(models.Model):
    """One row of the standard: a minor class × one filing condition (立案条件), with the handling time
    limit per area class, the closing condition (结案条件) and the default responsible unit."""

    version = models.ForeignKey(
        CategoryStandardVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="rows"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("小类"), on_delete=models.PROTECT, related_name="standard_rows"
    )
    # Order of the filing conditions inside one minor class (1, 2, 3 …).
    sequence = models.PositiveSmallIntegerField(_("序号"), default=1)
    filing_condition = models.TextField(_("立案条件"))
    limit_a = models.PositiveIntegerField(_("A类时限"))
    limit_b = models.PositiveIntegerField(_("B类时限"))
    limit_c = models.PositiveIntegerField(_("C类时限"))
    unit = models.CharField(_("时限单位"), max_length=10, choices=TimeUnit.choices)
    closing_condition = models.TextField(_("结案条件"))
    # Part of the closing condition: closing (核查结案 / 自行处置) needs handling photo(s) on file. Local:
    # a district may lift it for rows whose condition is a document (e.g. "已作出处罚决定").
    closing_photo_required = models.BooleanField(_("结案须处置照片"), default=True)
    responsible_unit = models.CharField(_("责任单位"), max_length=100, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)

    class Meta:
        verbose_name = _("立案结案标准条目")
        verbose_name_plural = _("立案结案标准条目")
        ordering = ["version_id", "category__kind", "category__code", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "category", "sequence"], name="grid_standard_row_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}-{self.sequence} {self.filing_condition[:30]}"

    def limit_for_area(self, area_class: str) -> int:
        return {"A": self.limit_a, "B": self.limit_b, "C": self.limit_c}[area_class]


# ---------------------------------------------------------------------------------------------------------
# The responsibility list (责任清单) and routing decisions
# ---------------------------------------------------------------------------------------------------------


class Basis(models.TextChoices):
    TERRITORIAL = "territorial", _("属地")
    OWNER = "owner", _("属主")


class RoutingLevel(models.TextChoices):
    GRID = "grid", _("网格")
    VILLAGE = "village", _("村/社区")
    TOWN = "town", _("镇/街道")
    DISTRICT = "district", _("区")
    OWNER_UNIT = "owner_unit", _("指定权属单位")
    UNROUTED = "unrouted", _("未路由")


class ResponsibilityEntry(models.Model):
    """Category (a minor class, or a major class as a wildcard for its minors) × territory code prefix
    (district, town, village or grid) → the responsible org unit, on a territorial or owner basis."""

    category = models.ForeignKey(
        Category, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    territory_code = models.CharField(_("区划/网格代码"), max_length=15, db_index=True)
    basis = models.CharField(_("依据"), max_length=12, choices=Basis.choices)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    active = models.BooleanField(_("有效"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("责任清单条目")
        verbose_name_plural = _("责任清单")
        ordering = ["territory_code", "category__kind", "category__code", "basis"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "territory_code", "basis"], name="grid_responsibility_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.territory_code} ({self.get_basis_display()}) → {self.org_unit_id}"


class RoutingDecision(models.Model):
    """Every routing decision, with its reason and the trail of levels tried; append-only."""

    subject_type = models.CharField(_("对象类型"), max_length=60)
    subject_id = models.CharField(_("对象标识"), max_length=60)
    grid_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=CategoryKind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category_code = models.CharField(_("分类代码"), max_length=4)
    chosen_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routing_decisions",
    )
    level = models.CharField(_("匹配层级"), max_length=12, choices=RoutingLevel.choices)
    basis = models.CharField(_("依据"), max_length=12, choices=Basis.choices, blank=True)
    reason = models.TextField(_("理由"))
    trail = models.JSONField(_("路由轨迹"), default=list)
    decided_at = models.DateTimeField(_("决定时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("路由决定")
        verbose_name_plural = _("路由决定")
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="grid_routing_subject_idx"),
            models.Index(
                fields=["decided_at"], condition=Q(chosen_unit__isnull=True), name="grid_routing_unrouted_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} → {self.chosen_unit_id or '未路由'}"
