"""Grid events (网格事件) and their attachments; the 7-step loop runs on the workflow engine, process
`grid_event`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grid.models.standards import Category, CategoryKind, CategoryStandard


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
            # The command map's open items and heat layer: the newest events that have a point, without
            # walking those that have none (most bulk-imported and hotline events).
            models.Index(
                fields=["-reported_at"],
                name="grid_event_located_newest_idx",
                condition=Q(lon__isnull=False, lat__isnull=False),
            ),
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
