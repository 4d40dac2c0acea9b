"""Electronic certificates (电子证照) and what they are checked against: licence types, issued
certificates, and the property register (产权登记) that the 24-hour
self-service no-housing certificate (无房证明) is checked against."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HolderKind(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人和其他组织")


class LicenceType(models.Model):
    """A kind of certificate (证照类型). `code` is the GB/T 36904 licence type code: the credit code of the
    body that defines the licence type followed by a 3-digit sequence (see docs/licences.md). The default
    issuer is who signs certificates issued without an officer (24-hour self-service)."""

    code = models.CharField(_("证照类型代码"), max_length=40, unique=True)
    name = models.CharField(_("证照类型名称"), max_length=100)
    holder_kind = models.CharField(
        _("持证主体类型"), max_length=10, choices=HolderKind.choices, blank=True, help_text=_("空 = 不限")
    )
    validity_days = models.PositiveIntegerField(_("默认有效天数"), null=True, blank=True)
    default_issuer = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("默认发证机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    default_issuer_credit_code = models.CharField(
        _("默认发证机构统一社会信用代码"), max_length=18, blank=True
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")


class Certificate(models.Model):
    """An issued electronic certificate (电子证照).

    `identifier` follows GB/T 36904: ``1.2.156.3005.2.<licence type code>.<issuer credit code>.<serial>.
    <3-digit version>.<check>`` — the serial is 8 digits, counted per licence type and issuer; the check
    character is ISO/IEC 7064 MOD 37,36 (as GB/T 17710 defines it) over every character before it with the
    dots left out (licences.identifiers). Issued content never changes; revocation only sets `revoked_*`.
    The holder's number is kept encrypted with a lookup hash; `holder_number_display` is what may be
    shown (citizen ID masked to the first 6 and last 4; a credit code is public)."""

    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    licence_type = models.ForeignKey(
        LicenceType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="certificates"
    )
    serial = models.PositiveIntegerField(_("流水号"))
    version = models.PositiveSmallIntegerField(_("版本号"), default=1)
    holder_name = models.CharField(_("持证主体"), max_length=100)
    holder_kind = models.CharField(_("持证主体类型"), max_length=10, choices=HolderKind.choices)
    holder_number_encrypted = models.TextField(_("持证主体代码（加密）"))
    holder_number_hash = models.CharField(_("持证主体代码查询哈希"), max_length=64, db_index=True)
    holder_number_display = models.CharField(_("持证主体代码（显示）"), max_length=40)
    issuer = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("发证机构"), on_delete=models.PROTECT, related_name="+"
    )
    issuer_credit_code = models.CharField(_("发证机构统一社会信用代码"), max_length=18)
    territory_code = models.CharField(_("所属区划代码"), max_length=15, db_index=True)
    title = models.CharField(_("证照名称"), max_length=200)
    body = models.JSONField(_("证照内容"), default=list)
    subject_type = models.CharField(_("关联对象类型"), max_length=80, blank=True)
    subject_id = models.CharField(_("关联对象编号"), max_length=40, blank=True)
    issued_at = models.DateTimeField(_("发证时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pdf_hash = models.CharField(_("PDF内容哈希"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "issuer_credit_code", "serial", "version"],
                name="certificate_serial_unique",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""), name="certificate_revoke_reason"
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="certificate_subject_idx")]

    def __str__(self) -> str:
        return f"{self.title} {self.identifier}"

    def status_at(self, now: datetime) -> str:
        if self.revoked_at is not None and self.revoked_at <= now:
            return CertificateStatus.REVOKED
        if self.valid_until is not None and self.valid_until < timezone.localdate(now):
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


class PropertyRecord(models.Model):
    """A property-ownership registration (产权登记 / 不动产权证). Held here until the registries issue gives
    the register its own app; the 24-hour no-housing certificate is checked against it. An active record
    has no `cancelled_at`."""

    owner_name = models.CharField(_("权利人姓名"), max_length=100)
    owner_id_encrypted = models.TextField(_("权利人身份证号（加密）"))
    owner_id_hash = models.CharField(_("权利人身份证号查询哈希"), max_length=64, db_index=True)
    property_address = models.CharField(_("不动产坐落"), max_length=300)
    certificate_number = models.CharField(_("不动产权证号"), max_length=80, unique=True)
    territory_code = models.CharField(_("所属区划代码"), max_length=15, db_index=True)
    area_m2 = models.DecimalField(_("建筑面积（平方米）"), max_digits=10, decimal_places=2)
    registered_at = models.DateField(_("登记日期"))
    cancelled_at = models.DateField(_("注销日期"), null=True, blank=True)
    imported_at = models.DateTimeField(_("导入时间"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("产权登记")
        verbose_name_plural = _("产权登记")
        ordering = ["territory_code", "certificate_number"]

    def __str__(self) -> str:
        return self.certificate_number
