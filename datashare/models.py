"""Data from other departments' systems (五大类数据系统): connectors that pull records into the registries
(legal entities, people, households, houses, key places: one kind a connector, its `target`), their run
history and quarantine, the records each one keeps in sync, and grants to use a dataset (有条件使用). A
connector's records are its dataset; reading them through the API needs a live grant."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Connector(models.Model):
    class Category(models.TextChoices):
        PARTY = "party", _("党建")
        GOVERNANCE = "governance", _("综治")
        WATER = "water", _("水务")
        APPROVAL = "approval", _("审批")
        ENVIRONMENT = "environment", _("环保")

    class Target(models.TextChoices):
        """The registry a connector's rows feed (datashare.feeds: one spec a target)."""

        ENTITY = "entity", _("实有单位")
        PERSON = "person", _("实有人口")
        HOUSEHOLD = "household", _("户")
        HOUSE = "house", _("实有房屋（户室）")
        KEY_PLACE = "key_place", _("重点场所")

    class Adapter(models.TextChoices):
        FILE = "file", _("文件投放（CSV/XLSX）")
        HTTP = "http", _("JSON 接口（分页）")
        SQL = "sql", _("SQL 数据源（PostgreSQL）")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    category = models.CharField(_("数据系统类别"), max_length=12, choices=Category.choices)
    adapter = models.CharField(_("接入方式"), max_length=8, choices=Adapter.choices)
    target = models.CharField(
        _("写入的基础信息库"), max_length=12, choices=Target.choices, default=Target.ENTITY
    )
    # file: {"directory"}; http: {"url", "page_size"}; sql: {"dsn", "table"}
    config = models.JSONField(_("接入配置"), default=dict)
    # The source's password (sql) or bearer token (http), sealed (registry.crypto); never shown back.
    secret_sealed = models.TextField(_("口令（密文）"), blank=True)
    cursor_field = models.CharField(_("游标字段"), max_length=50, default="updated_at")
    key_field = models.CharField(_("主键字段"), max_length=50, default="uscc")
    owner_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("数据提供单位"), on_delete=models.PROTECT, related_name="+"
    )
    territory_code = models.CharField(_("所属区划"), max_length=15, db_index=True)
    frequency_minutes = models.PositiveIntegerField(_("更新频率（分钟）"), default=60)
    enabled = models.BooleanField(_("启用"), default=True)
    # The bookmark: the last (cursor, key) applied or quarantined; cursor in RFC 3339, UTC.
    bookmark_cursor = models.CharField(_("书签游标"), max_length=40, blank=True)
    bookmark_key = models.CharField(_("书签主键"), max_length=100, blank=True)
    last_success_at = models.DateTimeField(_("最近成功同步"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据接入")
        verbose_name_plural = _("数据接入")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    def due(self, now: datetime) -> bool:
        if not self.enabled:
            return False
        if self.last_success_at is None:
            return True
        return (now - self.last_success_at).total_seconds() >= self.frequency_minutes * 60


class ConnectorRun(models.Model):
    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(_("结果"), max_length=10, choices=Status.choices)
    fetched = models.PositiveIntegerField(_("读取"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    # Rows whose change waits for the village's review (registry_change), as a grid worker's would.
    proposed = models.PositiveIntegerField(_("待审核"), default=0)
    quarantined = models.PositiveIntegerField(_("隔离"), default=0)
    error = models.TextField(_("失败原因"), blank=True)
    bookmark_before = models.CharField(_("运行前书签"), max_length=150, blank=True)
    bookmark_after = models.CharField(_("运行后书签"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("同步记录")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.connector_id}@{self.started_at:%Y-%m-%dT%H:%M}Z {self.status}"


class QuarantinedRow(models.Model):
    """A source row that failed validation: kept whole, with the reason, for the steward to follow up. A row
    of personal data (people, households) is kept sealed whole in `payload_sealed`; `payload` and `key`
    then hold it masked (and a keyed digest of it, so the same row read again is recognised). The steward
    retries it (datashare.sync.do_retry_quarantined): applied, it is resolved with the outcome; refused
    again, it waits with the new reason."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("待处理")
        RESOLVED = "resolved", _("已导入")

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="quarantine")
    run = models.ForeignKey(ConnectorRun, on_delete=models.CASCADE, related_name="quarantined_rows")
    key = models.CharField(_("主键"), max_length=100, blank=True)
    payload = models.JSONField(_("原始数据"))
    payload_sealed = models.TextField(_("原始数据（密文）"), blank=True)
    field = models.CharField(_("字段"), max_length=50, blank=True)
    code = models.CharField(_("错误代码"), max_length=50)
    reason = models.CharField(_("原因"), max_length=300)
    status = models.CharField(
        _("处理状态"), max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    retries = models.PositiveIntegerField(_("重试次数"), default=0)
    retried_at = models.DateTimeField(_("最近重试"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("重试人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # When resolved: how the row applied (created, updated, unchanged; proposed = waits for review).
    outcome = models.CharField(_("导入结果"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("隔离数据")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}"


class SyncedRecord(models.Model):
    """One record a connector keeps in a registry (`target_kind`, `target_id`; an entity also by `entity`,
    which the dataset grants read); a repeated row (same checksum) or an older one (cursor not after the
    applied one) is a no-op, so replaying a source is harmless. For people and households the key and
    the checksum are keyed hashes (never an ID number in clear)."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="records")
    key = models.CharField(_("主键"), max_length=100)
    target_kind = models.CharField(
        _("基础信息库"), max_length=12, choices=Connector.Target.choices, default=Connector.Target.ENTITY
    )
    target_id = models.BigIntegerField(_("记录"))
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    entity = models.ForeignKey(
        "registry.Entity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    checksum = models.CharField(max_length=64)
    cursor = models.CharField(max_length=40)  # of the row applied last: an older row never overwrites it
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "key"], name="synced_record_unique")]

    def __str__(self) -> str:
        return f"{self.connector_id}:{self.key}"


class DatasetGrant(models.Model):
    """A unit's request to use a dataset (some of its fields) for a purpose and a period, approved on
    process `dataset_grant`. Live only while approved and start <= now < end: it expires by itself."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已退回")

    connector = models.ForeignKey(Connector, on_delete=models.PROTECT, related_name="grants")
    work_item = models.OneToOneField("workflow.WorkItem", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("用途"), max_length=300)
    fields = models.JSONField(_("字段"), default=list)
    unmask = models.BooleanField(_("含明文"), default=False)
    starts_at = models.DateTimeField(_("起始"))
    ends_at = models.DateTimeField(_("截止"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    requested_at = models.DateTimeField()

    class Meta:
        verbose_name = _("数据使用授权")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.connector_id} → {self.unit_id} ({self.status})"

    def live(self, now: datetime) -> bool:
        return self.status == self.Status.APPROVED and self.starts_at <= now < self.ends_at


class PeopleExport(models.Model):
    """A staff member's request for a bulk export of people (实有人口) of a territory: which fields, which
    of the personal ones in clear, for what purpose. Approved on process `people_export` by a data
    steward or leader of the territory (never the requester); the requester may then download it until
    `expires_at`. Each download is watermarked with the requester, the time and this request's id."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已退回")

    work_item = models.OneToOneField("workflow.WorkItem", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    territory_code = models.CharField(_("导出范围"), max_length=15, db_index=True)
    fields = models.JSONField(_("字段"), default=list)
    unmasked = models.JSONField(_("明文字段"), default=list, blank=True)
    purpose = models.CharField(_("用途"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("下载截止"), null=True, blank=True)

    class Meta:
        verbose_name = _("人口数据导出申请")
        verbose_name_plural = _("人口数据导出申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"people export #{self.pk} ({self.status})"

    def live(self, now: datetime) -> bool:
        return self.status == self.Status.APPROVED and self.expires_at is not None and now < self.expires_at
