"""Approval services (审批服务): the service-item catalogue (GB/T 39554.1 codes, versioned guides), which
convenience-service centres may handle which items, and applications. An application's life runs on the
workflow engine (process `approval_application`); this table keeps who applied for what, where, under
which guide version, and the result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    """权力事项类型 with the two-letter prefix of the basic code (基本编码)."""

    LICENSING = "XK", _("行政许可")
    CONFIRMATION = "QR", _("行政确认")
    BENEFIT = "JF", _("行政给付")
    ADJUDICATION = "CJ", _("行政裁决")
    REWARD = "JL", _("行政奖励")
    LEVY = "ZS", _("行政征收")
    OTHER_POWER = "QT", _("其他行政权力")
    PUBLIC_SERVICE = "GG", _("公共服务")


class ServiceLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    TOWN = "town", _("镇（街道）级")
    VILLAGE = "village", _("村（社区）级")


class LimitUnit(models.TextChoices):
    """Time-limit units (the engine's names)."""

    WORK_DAYS = "work_days", _("工作日")
    NATURAL_DAYS = "natural_days", _("自然日")


class HandlingType(models.TextChoices):
    IMMEDIATE = "immediate", _("即办件")
    PROMISED = "promised", _("承诺件")


class Theme(models.TextChoices):
    """Life-cycle themes (natural-person and legal-person life events)."""

    BIRTH = "birth", _("生育收养")
    EDUCATION = "education", _("教育入学")
    EMPLOYMENT = "employment", _("就业创业")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    HOUSING = "housing", _("住房保障")
    MARRIAGE = "marriage", _("婚姻家庭")
    HEALTH = "health", _("医疗卫生")
    ELDERLY = "elderly", _("养老服务")
    DISABILITY = "disability", _("残疾人服务")
    AGRICULTURE = "agriculture", _("农业农村")
    VETERANS = "veterans", _("退役军人")
    DEATH = "death", _("身后事")
    ENTERPRISE_START = "enterprise_start", _("企业开办")
    CONSTRUCTION = "construction", _("工程建设")
    OPERATION = "operation", _("经营许可")
    ENVIRONMENT = "environment", _("生态环境")
    TRANSPORT = "transport", _("交通运输")
    CULTURE = "culture", _("文化旅游")
    ENTERPRISE_EXIT = "enterprise_exit", _("企业注销")
    OTHER = "other", _("其他")


class ServiceItem(models.Model):
    """One implementation of a service item (实施清单). Guide fields live on versions; the item points at
    its current one. Applications pin the version they were made under."""

    basic_code = models.CharField(_("基本编码"), max_length=12, db_index=True)
    implementation_code = models.CharField(_("实施编码"), max_length=36, unique=True)
    name = models.CharField(_("事项名称"), max_length=120)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    service_level = models.CharField(_("行使层级"), max_length=10, choices=ServiceLevel.choices)
    theme = models.CharField(_("主题分类"), max_length=20, choices=Theme.choices, default=Theme.OTHER)
    # The unit whose approvers review and decide: `agency` when one unit does it for every centre (district
    # departments); otherwise `agency_suffix` names the agency of the handling centre's town
    # (`<town code>-<suffix>`, e.g. "social" → 社会事业局); with neither, the centre decides itself.
    agency = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("审批机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency_suffix = models.CharField(_("镇级审批机构后缀"), max_length=40, blank=True)
    # The electronic certificate issued on approval (licences.LicenceType code), "" when there is none.
    licence_type_code = models.CharField(_("电子证照类型代码"), max_length=40, blank=True)
    current_version = models.ForeignKey(
        "ServiceItemVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["basic_code", "implementation_code"]
        indexes = [models.Index(fields=["service_level", "item_type"], name="approvals_item_level_type")]

    def __str__(self) -> str:
        return f"{self.implementation_code} {self.name}"


class ServiceItemVersion(models.Model):
    """An immutable edition of an item's service guide (办事指南). A new one is written only when the
    content (its hash) changes."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("服务事项"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField(_("版本号"))
    name = models.CharField(_("事项名称"), max_length=120)
    implementing_body = models.CharField(_("实施主体"), max_length=100)
    implementing_body_credit_code = models.CharField(_("实施主体统一社会信用代码"), max_length=18)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    # [{"name", "form": original|copy|original_and_copy|electronic, "count", "required": bool,
    #   "condition": "" or when it is needed, "template": "" or the template file name}]
    materials = models.JSONField(_("申请材料"), default=list, blank=True)
    legal_limit_amount = models.PositiveIntegerField(_("法定办结时限"))
    legal_limit_unit = models.CharField(_("法定时限单位"), max_length=12, choices=LimitUnit.choices)
    legal_limit_note = models.CharField(_("法定时限说明"), max_length=200, blank=True)
    promised_limit_amount = models.PositiveIntegerField(_("承诺办结时限"))
    promised_limit_unit = models.CharField(_("承诺时限单位"), max_length=12, choices=LimitUnit.choices)
    promised_limit_note = models.CharField(_("承诺时限说明"), max_length=200, blank=True)
    handling_type = models.CharField(_("办件类型"), max_length=10, choices=HandlingType.choices)
    # ["window", "online", "post"]
    channels = models.JSONField(_("办理渠道"), default=list, blank=True)
    # ["natural_person", "enterprise", "public_institution", "social_organisation", "government", "other"]
    service_objects = models.JSONField(_("服务对象"), default=list, blank=True)
    fee = models.CharField(_("收费标准"), max_length=200, blank=True)
    fee_basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    theme = models.CharField(_("主题分类"), max_length=20, choices=Theme.choices, default=Theme.OTHER)
    place = models.CharField(_("办理地点"), max_length=200, blank=True)
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    consultation_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=40, blank=True)
    # ["申请", "受理", "审查", "决定", "送达"]
    flow_steps = models.JSONField(_("办理流程"), default=list, blank=True)
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("服务事项版本（办事指南）")
        verbose_name_plural = _("服务事项版本（办事指南）")
        ordering = ["item_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="approvals_item_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_immediate(self) -> bool:
        return self.handling_type == HandlingType.IMMEDIATE or self.promised_limit_amount == 0

    @property
    def promised_share(self) -> float | None:
        """Promised limit as a share of the legal limit (units compared as stated)."""
        if not self.legal_limit_amount:
            return None
        return self.promised_limit_amount / self.legal_limit_amount


class CentreAuthorisation(models.Model):
    """A centre (便民服务中心, or a village committee as 村便民服务站) may handle the item directly."""

    centre = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("服务中心/站"),
        on_delete=models.CASCADE,
        related_name="approvals_authorisations",
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("服务事项"), on_delete=models.CASCADE, related_name="authorisations"
    )
    created_at = models.DateTimeField(_("授权时间"))

    class Meta:
        verbose_name = _("进驻授权")
        verbose_name_plural = _("进驻授权")
        ordering = ["centre_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "item"], name="approvals_centre_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} → {self.item_id}"


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口")
    ONLINE = "online", _("网上")
    PROXY = "proxy", _("代办")


class ApplicantKind(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人")


class Outcome(models.TextChoices):
    NONE = "", _("未办结")
    APPROVED = "approved", _("准予")
    REFUSED = "refused", _("不予")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    WITHDRAWN = "withdrawn", _("撤回")


class DeliveryMethod(models.TextChoices):
    NONE = "", _("未送达")
    WINDOW = "window", _("窗口领取")
    EMS = "ems", _("EMS 邮寄")
    ELECTRONIC = "electronic", _("电子证照")


class Application(models.Model):
    """One application (办件) for a service item at a centre. Its state lives on `work_item`."""

    receipt_no = models.CharField(_("受理编号"), max_length=24, unique=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("服务事项"), on_delete=models.PROTECT, related_name="applications"
    )
    item_version = models.ForeignKey(
        ServiceItemVersion, verbose_name=_("事项版本"), on_delete=models.PROTECT, related_name="applications"
    )
    centre = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("受理中心"), on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("窗口人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    applicant_kind = models.CharField(_("申请人类型"), max_length=10, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人"), max_length=100)
    # Citizen ID (GB 11643) or unified social credit code (GB 32100): encrypted, keyed hash, masked copy.
    applicant_number_enc = models.TextField(_("证件号码（加密）"))
    applicant_number_hash = models.CharField(_("证件号码查找摘要"), max_length=64, db_index=True)
    applicant_number_masked = models.CharField(_("证件号码（脱敏）"), max_length=24)
    applicant_phone_enc = models.TextField(_("联系电话（加密）"), blank=True)
    applicant_phone_hash = models.CharField(_("联系电话查找摘要"), max_length=64, blank=True, db_index=True)
    applicant_phone_masked = models.CharField(_("联系电话（脱敏）"), max_length=20, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proxy_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办网格员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proxy_consent = models.TextField(_("委托代办同意记录"), blank=True)
    territory_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    work_item = models.OneToOneField(
        "workflow.WorkItem",
        verbose_name=_("办件流程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_application",
    )
    # [{"name", "required", "received": bool}]: the clerk's check-off of the guide's materials.
    materials = models.JSONField(_("收件材料"), default=list, blank=True)
    corrections_note = models.TextField(_("补正告知内容"), blank=True)
    submitted_at = models.DateTimeField(_("申请时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=15, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("结果理由"), blank=True)
    outcome_legal_basis = models.TextField(_("结果依据"), blank=True)
    delivery_method = models.CharField(
        _("送达方式"), max_length=12, choices=DeliveryMethod.choices, blank=True
    )
    ems_tracking_no = models.CharField(_("EMS 运单号"), max_length=30, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    certificate_identifier = models.CharField(_("电子证照标识"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("申请（办件）")
        verbose_name_plural = _("申请（办件）")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["centre", "submitted_at"], name="approvals_app_centre_idx"),
            models.Index(fields=["item", "submitted_at"], name="approvals_app_item_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.applicant_name}"


class ApplicationAttachment(models.Model):
    """A file of an application's materials: uploaded by the resident online (`material` names the guide's
    material it is for) or scanned at intake (扫描件). Private: served only by
    approvals.pages.desk.attachment."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="attachments"
    )
    material = models.CharField(_("对应材料"), max_length=120, blank=True)
    file = models.FileField(_("文件"), upload_to="approvals/%Y/%m/")
    # What was stored (after an image's re-encoding), so that the file opened later can be checked against it.
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    content_hash = models.CharField(_("内容哈希(SHA-256)"), max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("申请附件")
        verbose_name_plural = _("申请附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.material or self.file.name or ""

    @property
    def is_pdf(self) -> bool:
        return (self.file.name or "").lower().endswith(".pdf")
