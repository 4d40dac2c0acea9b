"""综合执法: the matter catalogue with discretion benchmarks, officer posts over grids, patrol logs, and
cases through the statutory procedure (行政处罚法). A case's progress is the work item of process
`case_summary` or `case_ordinary` (enforcement/processes/); the case holds what was found and decided.
The full-process record (全过程记录) is append-only. See docs/enforcement.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.appendonly import AppendOnlyModel


class Sector(models.TextChoices):
    EDUCATION = "education", _("教育")
    HUMAN_RESOURCES = "human_resources", _("人力资源社会保障")
    HOUSING = "housing", _("住房城乡建设")
    URBAN_MANAGEMENT = "urban_management", _("城市管理")
    MARKET_REGULATION = "market_regulation", _("市场监管")
    ECOLOGY = "ecology", _("生态环境")
    EMERGENCY = "emergency", _("应急管理")
    AGRICULTURE = "agriculture", _("农业农村")
    HEALTH = "health", _("卫生健康")
    CULTURE_TOURISM = "culture_tourism", _("文化旅游")
    NATURAL_RESOURCES = "natural_resources", _("自然资源")
    TRANSPORT = "transport", _("交通运输")
    WATER = "water", _("水务")
    OTHER = "other", _("其他")


class CircumstanceLevel(models.TextChoices):
    LIGHTER = "lighter", _("从轻")
    ORDINARY = "ordinary", _("一般")
    HEAVIER = "heavier", _("从重")


class EnforcementMatter(models.Model):
    """执法事项: one violation the town enforces in its own name, with its legal basis and benchmark."""

    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    sector = models.CharField(_("领域"), max_length=20, choices=Sector.choices)
    violation_basis = models.TextField(_("违法依据"))
    penalty_basis = models.TextField(_("处罚依据"))
    # e.g. ["警告", "罚款", "没收违法所得"]
    penalty_types = models.JSONField(_("处罚种类"), default=list, blank=True)
    hearing_possible = models.BooleanField(_("可能触发听证"), default=False)
    summary_allowed = models.BooleanField(_("可适用简易程序"), default=False)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("执法事项")
        verbose_name_plural = _("执法事项")
        ordering = ["sector", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DiscretionBand(models.Model):
    """裁量基准: the fine range for one circumstance level of a matter, with its listed circumstances."""

    matter = models.ForeignKey(
        EnforcementMatter, verbose_name=_("执法事项"), on_delete=models.CASCADE, related_name="bands"
    )
    level = models.CharField(_("裁量阶次"), max_length=10, choices=CircumstanceLevel.choices)
    circumstances = models.TextField(_("适用情形"), blank=True)
    fine_min = models.DecimalField(_("罚款下限(元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    fine_max = models.DecimalField(_("罚款上限(元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    other_measures = models.TextField(_("其他处理措施"), blank=True)

    class Meta:
        verbose_name = _("裁量基准")
        verbose_name_plural = _("裁量基准")
        ordering = ["matter_id", "level"]
        constraints = [models.UniqueConstraint(fields=["matter", "level"], name="discretion_band_unique")]

    def __str__(self) -> str:
        return f"{self.matter_id}:{self.level}"


class SquadArea(models.Model):
    """A squad (OrgUnit of kind squad) covers one enforcement zone (执法片区, 2–6 villages)."""

    squad = models.OneToOneField(
        "accounts.OrgUnit",
        verbose_name=_("执法中队"),
        on_delete=models.CASCADE,
        related_name="enforcement_area",
    )
    zone = models.OneToOneField(
        "territory.EnforcementZone",
        verbose_name=_("执法片区"),
        on_delete=models.CASCADE,
        related_name="squad_area",
    )

    class Meta:
        verbose_name = _("中队责任片区")
        verbose_name_plural = _("中队责任片区")
        ordering = ["zone_id"]

    def __str__(self) -> str:
        return f"{self.squad_id} → {self.zone_id}"


class OfficerPost(models.Model):
    """An officer's post: the squad they serve in and the grids they are assigned to (every officer is
    assigned to grids: 巡查在内)."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执法队员"), on_delete=models.CASCADE, related_name="posts"
    )
    squad = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("执法中队"), on_delete=models.PROTECT, related_name="officer_posts"
    )
    grids = models.ManyToManyField("territory.Grid", verbose_name=_("负责网格"), related_name="officer_posts")
    is_leader = models.BooleanField(_("中队长"), default=False)
    active = models.BooleanField(_("有效"), default=True)
    started_at = models.DateTimeField(_("开始时间"))

    class Meta:
        verbose_name = _("队员岗位")
        verbose_name_plural = _("队员岗位")
        ordering = ["squad_id", "officer_id"]
        constraints = [models.UniqueConstraint(fields=["officer", "squad"], name="officer_post_unique")]

    def __str__(self) -> str:
        return f"{self.officer} @ {self.squad}"


class PatrolKind(models.TextChoices):
    CHECKPOINT = "checkpoint", _("定点值守")
    MOBILE = "mobile", _("流动巡查")


class PatrolLog(models.Model):
    """执法巡查日志: one round of an officer, fixed checkpoints or mobile inspection."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("执法队员"),
        on_delete=models.PROTECT,
        related_name="enforcement_patrols",
    )
    squad = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("执法中队"), on_delete=models.PROTECT, related_name="patrol_logs"
    )
    kind = models.CharField(_("巡查方式"), max_length=12, choices=PatrolKind.choices)
    territory_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    summary = models.TextField(_("巡查小结"), blank=True)

    class Meta:
        verbose_name = _("执法巡查日志")
        verbose_name_plural = _("执法巡查日志")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.officer} {self.started_at:%Y-%m-%d %H:%M}"


class PatrolCheck(models.Model):
    """A point of a patrol: a fixed checkpoint or a place checked on the way, with time and position."""

    log = models.ForeignKey(
        PatrolLog, verbose_name=_("巡查日志"), on_delete=models.CASCADE, related_name="checks"
    )
    at = models.DateTimeField(_("时间"))
    checkpoint = models.CharField(_("点位"), max_length=200, blank=True)
    lon = models.FloatField(_("经度(WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("纬度(WGS-84)"), null=True, blank=True)
    grid = models.ForeignKey(
        "territory.Grid",
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finding = models.TextField(_("发现问题"), blank=True)
    case = models.ForeignKey(
        "enforcement.Case",
        verbose_name=_("转立案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patrol_checks",
    )

    class Meta:
        verbose_name = _("巡查点位记录")
        verbose_name_plural = _("巡查点位记录")
        ordering = ["log_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.log_id}@{self.at:%H:%M}"


class Procedure(models.TextChoices):
    SUMMARY = "summary", _("简易程序")
    ORDINARY = "ordinary", _("普通程序")


class CaseSource(models.TextChoices):
    GRID_EVENT = "grid_event", _("网格事件转办")
    PATROL = "patrol", _("巡查发现")
    COMPLAINT = "complaint", _("投诉举报")
    REFERRAL = "referral", _("部门移送")


class PartyKind(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人或其他组织")


class Case(models.Model):
    """行政处罚案件. Its state is the work item's; the dates below record what happened when."""

    number = models.CharField(_("立案编号"), max_length=40, blank=True, db_index=True)
    procedure = models.CharField(_("程序"), max_length=10, choices=Procedure.choices)
    source = models.CharField(_("案件来源"), max_length=12, choices=CaseSource.choices)
    source_detail = models.TextField(_("来源说明"), blank=True)
    matter = models.ForeignKey(
        EnforcementMatter, verbose_name=_("执法事项"), on_delete=models.PROTECT, related_name="cases"
    )
    town_code = models.CharField(_("镇/街道代码"), max_length=9, db_index=True)
    territory_code = models.CharField(_("区划/网格代码"), max_length=15, db_index=True)
    address = models.CharField(_("违法地点"), max_length=300, blank=True)
    lon = models.FloatField(_("经度(WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("纬度(WGS-84)"), null=True, blank=True)
    # The party (当事人). A citizen ID is stored encrypted with a keyed lookup hash and shown masked only.
    party_kind = models.CharField(_("当事人类型"), max_length=8, choices=PartyKind.choices)
    party_name = models.CharField(_("当事人名称/姓名"), max_length=200)
    party_number_enc = models.TextField(_("身份证号(加密)"), blank=True)
    party_number_hash = models.CharField(_("身份证号(检索哈希)"), max_length=64, blank=True, db_index=True)
    party_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    party_address = models.CharField(_("当事人住所"), max_length=300, blank=True)
    party_phone_enc = models.TextField(_("联系电话(加密)"), blank=True)
    # Findings and the proposed penalty (discretion).
    facts = models.TextField(_("违法事实"), blank=True)
    circumstance_level = models.CharField(
        _("裁量阶次"), max_length=10, choices=CircumstanceLevel.choices, default=CircumstanceLevel.ORDINARY
    )
    circumstances = models.TextField(_("裁量情形"), blank=True)
    proposed_fine = models.DecimalField(
        _("拟罚款金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    proposed_measures = models.TextField(_("拟其他处罚"), blank=True)
    discretion_justification = models.TextField(_("超出裁量基准的书面理由"), blank=True)
    outside_band = models.BooleanField(_("超出裁量基准"), default=False)
    is_major = models.BooleanField(_("重大案件(须法制审核)"), default=False)
    needs_discussion = models.BooleanField(_("须集体讨论"), default=False)
    # Investigation, review and notice.
    filed_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    preserved_at = models.DateTimeField(_("证据先行登记保存时间"), null=True, blank=True)
    preservation_due_at = models.DateTimeField(_("保存处理期限"), null=True, blank=True)
    preservation_handled_at = models.DateTimeField(_("保存处理时间"), null=True, blank=True)
    report_at = models.DateTimeField(_("调查终结时间"), null=True, blank=True)
    legal_review_started_at = models.DateTimeField(_("送法制审核时间"), null=True, blank=True)
    legal_review_due_at = models.DateTimeField(_("法制审核期限"), null=True, blank=True)
    legal_reviewed_at = models.DateTimeField(_("法制审核完成时间"), null=True, blank=True)
    legal_review_opinion = models.TextField(_("法制审核意见"), blank=True)
    discussed_at = models.DateTimeField(_("集体讨论时间"), null=True, blank=True)
    notice_at = models.DateTimeField(_("告知时间"), null=True, blank=True)
    hearing_window_ends_at = models.DateTimeField(_("听证申请期限"), null=True, blank=True)
    hearing_requested = models.BooleanField(_("申请听证"), default=False)
    hearing_at = models.DateTimeField(_("听证时间"), null=True, blank=True)
    hearing_notified_at = models.DateTimeField(_("听证通知时间"), null=True, blank=True)
    hearing_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("听证主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extended = models.BooleanField(_("已延长办案期限"), default=False)
    decision_due_at = models.DateTimeField(_("作出决定期限"), null=True, blank=True)
    # Decision, service, execution, closure.
    decision_number = models.CharField(_("决定书文号"), max_length=60, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    fine_amount = models.DecimalField(
        _("罚款金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    penalty_summary = models.TextField(_("处罚内容"), blank=True)
    decision_basis = models.TextField(_("处罚依据"), blank=True)
    served_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    payment_due_at = models.DateTimeField(_("缴款期限"), null=True, blank=True)
    paid_at = models.DateTimeField(_("缴款时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    archive_number = models.CharField(_("归档号"), max_length=8, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    # Who and what.
    squad = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("承办中队"), on_delete=models.PROTECT, related_name="cases"
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主办队员"),
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    grid_event = models.ForeignKey(
        "grid.GridEvent",
        verbose_name=_("来源网格事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enforcement_cases",
    )
    work_item = models.OneToOneField(
        "workflow.WorkItem",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enforcement_case",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("执法案件")
        verbose_name_plural = _("执法案件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="case_number_unique"
            ),
            models.UniqueConstraint(
                fields=["decision_number"],
                condition=~models.Q(decision_number=""),
                name="case_decision_unique",
            ),
            models.UniqueConstraint(
                fields=["town_code", "archive_number"],
                condition=~models.Q(archive_number=""),
                name="case_archive_unique",
            ),
        ]
        indexes = [models.Index(fields=["territory_code", "created_at"], name="case_territory_idx")]

    def __str__(self) -> str:
        return f"{self.number or f'#{self.pk}'} {self.party_name}"


class CaseOfficerRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")
    INVESTIGATOR = "investigator", _("调查人员")
    HEARING_CHAIR = "hearing_chair", _("听证主持人")


class CaseOfficer(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="officers")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("执法人员"),
        on_delete=models.PROTECT,
        related_name="case_roles",
    )
    role = models.CharField(_("角色"), max_length=14, choices=CaseOfficerRole.choices)

    class Meta:
        verbose_name = _("办案人员")
        verbose_name_plural = _("办案人员")
        ordering = ["case_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "officer", "role"], name="case_officer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.officer_id}:{self.role}"


class RecordKind(models.TextChoices):
    NOTE = "note", _("文字记录")
    TRANSCRIPT = "transcript", _("笔录")
    PHOTO = "photo", _("照片")
    AUDIO = "audio", _("录音")
    VIDEO = "video", _("录像")
    DOCUMENT = "document", _("文书")
    EVIDENCE = "evidence", _("证据材料")


def record_upload_to(instance: RecordEntry, filename: str) -> str:
    return f"enforcement/record/{instance.case_id}/{filename}"


class RecordEntry(AppendOnlyModel):
    """全过程记录: one step, note or attachment of a case, with who, when and a sha256 content hash.
    Append-only: save() refuses to change a stored row and delete() is refused."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="record")
    seq = models.PositiveIntegerField(_("序号"))
    step = models.CharField(_("环节/动作"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=RecordKind.choices, default=RecordKind.NOTE)
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to=record_upload_to, null=True, blank=True)
    content_hash = models.CharField(_("内容哈希(SHA-256)"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    meta = models.JSONField(_("附加信息"), default=dict, blank=True)

    class Meta:
        verbose_name = _("全过程记录")
        verbose_name_plural = _("全过程记录")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="record_entry_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.title}"


class DocumentKind(models.TextChoices):
    CASE_SOURCE = "case_source", _("案件来源登记表")
    FILING_APPROVAL = "filing_approval", _("立案审批表")
    INQUIRY_TRANSCRIPT = "inquiry_transcript", _("询问笔录")
    SITE_TRANSCRIPT = "site_transcript", _("现场检查(勘验)笔录")
    PRESERVATION_NOTICE = "preservation_notice", _("证据先行登记保存通知书")
    EVIDENCE_LIST = "evidence_list", _("证据清单")
    INVESTIGATION_REPORT = "investigation_report", _("案件调查终结报告")
    LEGAL_REVIEW_OPINION = "legal_review_opinion", _("法制审核意见书")
    DISCUSSION_RECORD = "discussion_record", _("集体讨论记录")
    ADVANCE_NOTICE = "advance_notice", _("行政处罚事先告知书")
    HEARING_NOTICE = "hearing_notice", _("听证通知书")
    HEARING_REPORT = "hearing_report", _("听证报告")
    DECISION = "decision", _("行政处罚决定书")
    SUMMARY_DECISION = "summary_decision", _("当场行政处罚决定书")
    SERVICE_RECEIPT = "service_receipt", _("送达回证")
    PAYMENT_RECEIPT = "payment_receipt", _("罚没款缴纳凭证")
    CLOSING_REPORT = "closing_report", _("结案报告")


class Volume(models.TextChoices):
    MAIN = "main", _("正卷")
    SECONDARY = "secondary", _("副卷")


def document_upload_to(instance: CaseDocument, filename: str) -> str:
    return f"enforcement/documents/{instance.case_id}/{filename}"


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("文书种类"), max_length=24, choices=DocumentKind.choices)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    volume = models.CharField(_("卷别"), max_length=10, choices=Volume.choices, default=Volume.MAIN)
    pdf = models.FileField(_("PDF"), upload_to=document_upload_to)
    content_hash = models.CharField(_("内容哈希(SHA-256)"), max_length=64)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("案件文书")
        verbose_name_plural = _("案件文书")
        ordering = ["case_id", "generated_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class ServiceMethod(models.TextChoices):
    DIRECT = "direct", _("直接送达")
    LEFT_AT_ADDRESS = "left_at_address", _("留置送达")
    ELECTRONIC = "electronic", _("电子送达")
    POST = "post", _("邮寄送达")
    ENTRUSTED = "entrusted", _("委托送达")
    FORWARDED = "forwarded", _("转交送达")
    PUBLIC_NOTICE = "public_notice", _("公告送达")


class ServiceRecord(models.Model):
    """送达: how and when a document reached the party, with the receipt's hash."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="services")
    document = models.ForeignKey(
        CaseDocument,
        verbose_name=_("送达文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    document_kind = models.CharField(_("文书种类"), max_length=24, choices=DocumentKind.choices)
    method = models.CharField(_("送达方式"), max_length=16, choices=ServiceMethod.choices)
    served_at = models.DateTimeField(_("送达时间"))
    recipient = models.CharField(_("受送达人"), max_length=200)
    place = models.CharField(_("送达地点"), max_length=300, blank=True)
    receipt_hash = models.CharField(_("回证哈希(SHA-256)"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("送达人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("送达记录")
        verbose_name_plural = _("送达记录")
        ordering = ["case_id", "served_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.method} {self.served_at:%Y-%m-%d}"


class Publication(models.Model):
    """行政执法公示 of a decision (written by the publication actions)."""

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="publication"
    )
    due_at = models.DateTimeField(_("公示期限"))
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    remove_due_at = models.DateTimeField(_("撤下期限"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    withdraw_reason = models.TextField(_("撤下理由"), blank=True)
    revoked_at = models.DateTimeField(_("决定被撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("处罚决定公示")
        verbose_name_plural = _("处罚决定公示")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.published_at}"
