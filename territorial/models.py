"""三资 (collective assets, funds, resources) of the villages' collective economic organisations.
Money is `Decimal` to the fen everywhere (DecimalField with 2 places, never a float)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grid.models import PatrolFrequency
from territorial.scans import is_pdf_name


def money_field(label: Any, **options: Any) -> models.DecimalField:
    """Yuan to the fen: 14 digits, 2 of them after the point."""
    return models.DecimalField(label, max_digits=14, decimal_places=2, **options)


class ExpenditureCategory(models.TextChoices):
    """支出类别, the expenditure headings of the village collective accounting rules (村集体经济组织会计制度);
    the monthly report sums payments under them."""

    OPERATING = "operating", _("经营支出")
    MANAGEMENT = "management", _("管理费用")
    PUBLIC_WELFARE = "public_welfare", _("公益支出")
    DISTRIBUTION = "distribution", _("收益分配")
    OTHER = "other", _("其他支出")


class CollectiveOrganisation(models.Model):
    """股份经济合作社: one (or more) per village."""

    village_code = models.CharField(_("村/社区代码"), max_length=12, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    created_at = models.DateTimeField(_("建立时间"))

    class Meta:
        verbose_name = _("集体经济组织")
        verbose_name_plural = _("集体经济组织")
        ordering = ["village_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village_code", "name"], name="territorial_org_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """A bank or cash account of the organisation; `balance` is kept with every entry (reconciled)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("银行存款")
        CASH = "cash", _("库存现金")

    organisation = models.ForeignKey(
        CollectiveOrganisation,
        verbose_name=_("集体经济组织"),
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    name = models.CharField(_("账户名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    balance = money_field(_("余额"), default=0)

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="territorial_account_unique")
        ]

    def __str__(self) -> str:
        return self.name


class LedgerEntry(models.Model):
    """One movement on an account: positive amounts are receipts, negative ones payments."""

    account = models.ForeignKey(
        Account, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries"
    )
    booked_on = models.DateField(_("记账日期"))
    amount = money_field(_("金额"))
    summary = models.CharField(_("摘要"), max_length=200)
    # Payments only (blank for receipts): the heading the expenditure is reported under.
    category = models.CharField(
        _("支出类别"), max_length=20, choices=ExpenditureCategory.choices, blank=True, default=""
    )
    # A receipt's voucher (收据/票据: an image re-encoded without metadata, or a checked PDF), or the
    # voucher of the asset change that booked the entry (the same file); empty on a payment's entry (its
    # voucher is the payment's) and on receipts booked while TERRITORIAL_RECEIPT_VOUCHER_REQUIRED was off.
    voucher = models.FileField(_("凭证"), upload_to="territorial/vouchers/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记账人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("账目")
        verbose_name_plural = _("账目")
        ordering = ["booked_on", "pk"]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.summary} {self.amount}"

    @property
    def voucher_is_pdf(self) -> bool:
        return is_pdf_name(str(self.voucher.name or ""))


class Asset(models.Model):
    """资产卡片. Its fields change only through an approved AssetChange (territorial/assets.py)."""

    class Kind(models.TextChoices):
        LAND_USE_RIGHT = "land_use_right", _("土地使用权")
        BUILDING = "building", _("房屋建筑物")
        EQUIPMENT = "equipment", _("机器设备")
        FACILITY = "facility", _("基础设施")

    class State(models.TextChoices):
        IN_USE = "in_use", _("自用")
        LEASED = "leased", _("出租")
        IDLE = "idle", _("闲置")
        DISPOSED = "disposed", _("已处置")

    organisation = models.ForeignKey(
        CollectiveOrganisation,
        verbose_name=_("集体经济组织"),
        on_delete=models.PROTECT,
        related_name="assets",
    )
    number = models.CharField(_("卡片编号"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    value = money_field(_("原值"))
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.IN_USE)
    responsible = models.CharField(_("责任人"), max_length=50)

    class Meta:
        verbose_name = _("资产卡片")
        verbose_name_plural = _("资产卡片")
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="territorial_asset_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class AssetChange(models.Model):
    """A proposed change to an asset card, on process `asset_change`; `proposal` holds the new values."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", pgettext_lazy("asset change", "购置")
        LEASE = "lease", pgettext_lazy("asset change", "出租")
        DISPOSAL = "disposal", pgettext_lazy("asset change", "处置")
        REVALUE = "revalue", pgettext_lazy("asset change", "重估")

    organisation = models.ForeignKey(
        CollectiveOrganisation,
        verbose_name=_("集体经济组织"),
        on_delete=models.PROTECT,
        related_name="asset_changes",
    )
    asset = models.ForeignKey(
        Asset, verbose_name=_("资产"), null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    kind = models.CharField(_("变动类型"), max_length=10, choices=Kind.choices)
    proposal = models.JSONField(_("变动内容"))
    work_item = models.OneToOneField(
        "workflow.WorkItem", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"))
    applied_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    # Money moved by the change (a purchase's price paid, a disposal's proceeds received; the amount is
    # the proposal's "amount"): the account it moves on and the voucher (购置发票 / 处置收据), given with
    # the proposal; the ledger entry booked when the town approves (territorial/assets.py).
    account = models.ForeignKey(
        Account,
        verbose_name=_("收付款账户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voucher = models.FileField(_("凭证"), upload_to="territorial/vouchers/%Y/%m/", blank=True)
    entry = models.OneToOneField(
        LedgerEntry,
        verbose_name=_("账目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_change",
    )

    class Meta:
        verbose_name = _("资产变动")
        verbose_name_plural = _("资产变动")
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Resource(models.Model):
    """资源: collective land, water areas and others, with their outline (GeoJSON Polygon, WGS-84)."""

    class Kind(models.TextChoices):
        LAND = "land", _("土地")
        WATER = "water", _("水域")
        OTHER = "other", _("其他")

    organisation = models.ForeignKey(
        CollectiveOrganisation,
        verbose_name=_("集体经济组织"),
        on_delete=models.PROTECT,
        related_name="resources",
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=12, decimal_places=2)
    outline = models.JSONField(_("范围"))

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return self.name


class Payment(models.Model):
    """支出: proposed by the village with its voucher (an image or a PDF scan), approved on process
    `fund_payment`; the ledger entry is booked when the last approval needed is given."""

    organisation = models.ForeignKey(
        CollectiveOrganisation,
        verbose_name=_("集体经济组织"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    account = models.ForeignKey(
        Account, verbose_name=_("付款账户"), on_delete=models.PROTECT, related_name="+"
    )
    amount = money_field(_("金额"))
    payee = models.CharField(_("收款方"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=200)
    category = models.CharField(
        _("支出类别"),
        max_length=20,
        choices=ExpenditureCategory.choices,
        default=ExpenditureCategory.OTHER,
    )
    voucher = models.FileField(_("凭证"), upload_to="territorial/vouchers/%Y/%m/")
    work_item = models.OneToOneField(
        "workflow.WorkItem", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="+"
    )
    entry = models.OneToOneField(
        LedgerEntry,
        verbose_name=_("账目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"))

    class Meta:
        verbose_name = _("支出申请")
        verbose_name_plural = _("支出申请")
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount}"

    @property
    def voucher_is_pdf(self) -> bool:
        return is_pdf_name(str(self.voucher.name or ""))


class Contract(models.Model):
    """A lease of an asset or a resource to a counterparty of the registries (a person or an entity)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("履行中")
        TERMINATED = "terminated", _("已终止")

    organisation = models.ForeignKey(
        CollectiveOrganisation,
        verbose_name=_("集体经济组织"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    number = models.CharField(_("合同编号"), max_length=40)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("承租人（个人）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("承租人（单位）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    asset = models.ForeignKey(
        Asset, verbose_name=_("标的资产"), null=True, blank=True, on_delete=models.PROTECT
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("标的资源"), null=True, blank=True, on_delete=models.PROTECT
    )
    annual_price = money_field(_("年租金"))
    reference_price = money_field(_("参考年租金"), null=True, blank=True)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("到期日期"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.ACTIVE)
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True)
    # The signed contract as scanned (合同文本: an image or a PDF, checked like a voucher), for the
    # contract library; empty until the village attaches it.
    document = models.FileField(_("合同文本"), upload_to="territorial/contracts/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="territorial_contract_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="territorial_contract_term"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def document_is_pdf(self) -> bool:
        return is_pdf_name(str(self.document.name or ""))


class Instalment(models.Model):
    """One payment due under a contract; `entry` is the receipt that settled it."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="instalments"
    )
    due_on = models.DateField(_("应收日期"))
    amount = money_field(_("应收金额"))
    entry = models.OneToOneField(
        LedgerEntry,
        verbose_name=_("收款账目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("应收款")
        verbose_name_plural = _("应收款")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.due_on} {self.amount}"


class Post(models.Model):
    """编制: a post of a town-managed institution (school, hospital, station). It moves with its duties
    ("编随事走", PostMove) and its holder moves with it ("人随编走", PostHolding)."""

    class Category(models.TextChoices):
        ADMINISTRATIVE = "administrative", _("行政编制")
        PUBLIC_SERVICE = "public_service", _("事业编制")
        OTHER = "other", _("其他")

    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("所在机构"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("岗位"), max_length=100)
    category = models.CharField(_("编制类型"), max_length=20, choices=Category.choices)
    created_at = models.DateTimeField(_("设立时间"))

    class Meta:
        verbose_name = _("编制")
        verbose_name_plural = _("编制")
        ordering = ["org_unit", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class PostMove(models.Model):
    """One move of a post from one unit to another with its duties (编随事走)."""

    post = models.ForeignKey(Post, verbose_name=_("编制"), on_delete=models.CASCADE, related_name="moves")
    from_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("原机构"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("新机构"), on_delete=models.PROTECT, related_name="+"
    )
    moved_on = models.DateField(_("划转日期"))
    reason = models.CharField(_("划转事由"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("编制划转")
        verbose_name_plural = _("编制划转")
        ordering = ["post", "moved_on", "pk"]

    def __str__(self) -> str:
        return f"{self.post} {self.moved_on}"


class PostHolding(models.Model):
    """Who held a post, from when to when (open while `ended_on` is empty)."""

    post = models.ForeignKey(Post, verbose_name=_("编制"), on_delete=models.CASCADE, related_name="holdings")
    holder_name = models.CharField(_("在编人员"), max_length=50)
    started_on = models.DateField(_("到岗日期"))
    ended_on = models.DateField(_("离岗日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("在编人员")
        verbose_name_plural = _("在编人员")
        ordering = ["post", "started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=models.Q(ended_on__isnull=True), name="territorial_post_one_holder"
            )
        ]

    def __str__(self) -> str:
        return self.holder_name


class InstitutionEvaluation(models.Model):
    """The yearly performance evaluation of a town-managed institution, recorded by the town with the
    guiding sector department's opinion."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("年度"))
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    town_opinion = models.TextField(_("镇（街道）考核意见"))
    sector_opinion = models.TextField(_("业务指导部门意见"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("年度绩效考核")
        verbose_name_plural = _("年度绩效考核")
        ordering = ["org_unit", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year"], name="territorial_evaluation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.year}"


class AssetPhoto(models.Model):
    """A photo of an asset card (the building, the equipment on site); re-encoded without metadata."""

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="territorial/assets/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("资产照片")
        verbose_name_plural = _("资产照片")
        ordering = ["asset", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.asset} #{self.pk}"


class StationDuty(models.Model):
    """A duty of a town-managed station as work (站所职责): its inspections become patrol items on the
    grids of the area it covers, and events of its category there are routed to it through the
    responsibility list, like any other unit (territorial/stations.py)."""

    station = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("站所"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("职责（巡查事项）"), max_length=80)
    category = models.ForeignKey(
        "grid.Category", verbose_name=_("事件分类"), on_delete=models.PROTECT, related_name="+"
    )
    frequency = models.CharField(_("巡查频次"), max_length=10, choices=PatrolFrequency.choices)
    territory_code = models.CharField(_("覆盖区划（镇/村）"), max_length=12)
    checkpoint = models.CharField(_("巡查点位"), max_length=200, blank=True)
    responsibility = models.ForeignKey(
        "grid.ResponsibilityEntry",
        verbose_name=_("责任清单条目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    patrol_items = models.ManyToManyField("grid.PatrolItem", verbose_name=_("巡查事项"), related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("登记时间"))
    retired_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站所职责")
        verbose_name_plural = _("站所职责")
        ordering = ["station", "territory_code", "name"]

    def __str__(self) -> str:
        return f"{self.station} {self.name}"
