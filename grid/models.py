"""Grid governance data. This module is split into sections by concern:

1. categories and the versioned filing/closing standard (立案/结案标准, CJ/T 214 / GB/T 30428);
2. the responsibility list (责任清单) and recorded routing decisions;
3. the grid's three lists (三张清单): basic information, patrol items (the third list, responsibilities,
   is computed from section 2);
4. grid events (the 7-step loop runs on the workflow engine, process `grid_event`);
5. patrols and check-ins.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------------------------
# 1. Categories and the filing/closing standard
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
        return f"{self.get_kind_display()} {self.code} {self.name}"

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
# 2. The responsibility list (责任清单) and routing decisions
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


# ---------------------------------------------------------------------------------------------------------
# 3. The grid's three lists (三张清单): basic information and patrol items
# ---------------------------------------------------------------------------------------------------------


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
    # (grid/key_place_patrols.py); one item per place and period, the previous period's item retired.
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


# ---------------------------------------------------------------------------------------------------------
# 4. Grid events: added by the events work (the 7-step loop on the workflow engine).
# ---------------------------------------------------------------------------------------------------------


class EventChannel(models.TextChoices):
    PATROL = "patrol", _("网格员巡查上报")
    RESIDENT_WEB = "resident_web", _("群众网上反映")
    OPEN311 = "open311", _("Open311 客户端")
    HOTLINE = "hotline", _("12345 热线")
    DISPATCHER = "dispatcher", _("指挥中心录入")
    REFERRAL = "referral", _("部门移交")
    PARTY_LINK = "party_link", _("党员联户")


class EventLevel(models.TextChoices):
    """The level that holds (and, at the end, closed) an event: 小事不出格、大事不出村、难事不出镇."""

    GRID = "grid", _("网格")
    VILLAGE = "village", _("村/社区")
    TOWN = "town", _("镇/街道")
    DISTRICT = "district", _("区")


class GridEvent(models.Model):
    """One reported event or component problem. Its progress is the work item of process `grid_event`
    (grid/processes/grid_event.yaml); the event holds what was reported and what became of it, never a
    state of its own."""

    receipt_number = models.CharField(_("受理编号"), max_length=20, unique=True)
    kind = models.CharField(
        _("类型"), max_length=10, choices=CategoryKind.choices, default=CategoryKind.EVENT
    )
    category = models.ForeignKey(
        Category, verbose_name=_("小类"), on_delete=models.PROTECT, related_name="events"
    )
    # The row of the filing/closing standard the event was filed under (pins the standard version).
    standard = models.ForeignKey(
        CategoryStandard,
        verbose_name=_("立案标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    channel = models.CharField(_("来源渠道"), max_length=15, choices=EventChannel.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"))
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lon = models.FloatField(_("经度(WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("纬度(WGS-84)"), null=True, blank=True)
    grid = models.ForeignKey(
        "territory.Grid", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="events"
    )
    # The grid's code at filing time; the jurisdiction filter runs on it.
    territory_code = models.CharField(_("区划/网格代码"), max_length=15, db_index=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_events",
    )
    reporter_name = models.CharField(_("反映人称呼"), max_length=50, blank=True)
    # Residents' phone numbers: encrypted, with a keyed hash for exact lookup; shown masked.
    reporter_phone_encrypted = models.TextField(_("反映人电话(加密)"), blank=True)
    reporter_phone_hash = models.CharField(
        _("反映人电话(检索哈希)"), max_length=64, blank=True, db_index=True
    )
    reported_at = models.DateTimeField(_("上报时间"), db_index=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("重复于"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    level = models.CharField(
        _("当前处置层级"), max_length=10, choices=EventLevel.choices, default=EventLevel.GRID
    )
    closure_level = models.CharField(_("结案层级"), max_length=10, choices=EventLevel.choices, blank=True)
    work_item = models.OneToOneField(
        "workflow.WorkItem",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_event",
    )
    # What staff write for the public (公开答复), apart from the internal feedback/result text.
    public_reply = models.TextField(_("公开答复"), blank=True)
    # The reporter agreed that the description may be shown publicly; a moderator released it.
    publish_consent = models.BooleanField(_("同意公开描述"), default=False)
    description_released_at = models.DateTimeField(_("描述公开时间"), null=True, blank=True)
    description_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("描述公开审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("群众评价(1-5)"), null=True, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    # Open311 attributes and other channel-specific data, as received.
    attributes = models.JSONField(_("附加属性"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("网格事件")
        verbose_name_plural = _("网格事件")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["category", "reported_at"], name="grid_event_category_time_idx"),
            models.Index(fields=["territory_code", "reported_at"], name="grid_event_territory_time_idx"),
            # The lists' order (newest first): a LIMIT walks this index instead of sorting the table.
            models.Index(fields=["-reported_at", "-id"], name="grid_event_newest_idx"),
            # The figures' satisfaction (ratings given in a period): only rated events are indexed.
            models.Index(
                fields=["rated_at"], name="grid_event_rated_idx", condition=Q(rated_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.title}"


class AttachmentStage(models.TextChoices):
    REPORT = "report", _("上报")
    FEEDBACK = "feedback", _("处置反馈")
    VERIFICATION = "verification", _("核查")


class EventAttachment(models.Model):
    """A photo or file of an event; the content hash makes the record tamper-evident."""

    event = models.ForeignKey(
        GridEvent, verbose_name=_("事件"), on_delete=models.PROTECT, related_name="attachments"
    )
    stage = models.CharField(_("环节"), max_length=15, choices=AttachmentStage.choices)
    file = models.FileField(_("文件"), upload_to="events/%Y/%m/", blank=True)
    # A link instead of a file (Open311 media_url).
    url = models.URLField(_("链接"), max_length=500, blank=True)
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("大小(字节)"), default=0)
    sha256 = models.CharField(_("内容哈希"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("事件附件")
        verbose_name_plural = _("事件附件")
        ordering = ["event_id", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.stage} {self.file.name or self.url}"


# ---------------------------------------------------------------------------------------------------------
# 5. Patrols (巡查): a grid worker's rounds and check-ins at the grid's patrol items.
# ---------------------------------------------------------------------------------------------------------


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


class RegistryChangeRequest(models.Model):
    """A proposed change to the registries (基础信息变更申请), reviewed on process registry_change. The
    proposal holds personal data (names, ID and phone numbers): it is sealed (core.pii.seal) and
    only a masked summary is kept in clear."""

    class Kind(models.TextChoices):
        NEW_HOUSEHOLD = "new_household", _("新增户")

    work_item = models.OneToOneField(
        "workflow.WorkItem", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="registry_change"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    territory_code = models.CharField(_("网格"), max_length=15, db_index=True)
    payload_sealed = models.TextField(_("申请内容（密文）"))
    summary = models.CharField(_("摘要（脱敏）"), max_length=300)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("申请时间"))
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("生效后的户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("基础信息变更申请")
        verbose_name_plural = _("基础信息变更申请")
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return self.summary
