"""Open311 GeoReport v2 data: API keys (stored as a hash only) and their hourly usage counters, the
service definitions' attributes (one set per category, edited by administrators), and the tokens issued
for accepted requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key that lets one client (an app, a partner's 311 system) POST service requests. Only the
    SHA-256 hash of the key is stored; the key itself is shown once, when it is issued."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    # The first characters of the key, so an administrator can tell keys apart without the key itself.
    prefix = models.CharField(_("密钥前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(_("密钥哈希(SHA-256)"), max_length=64, unique=True)
    contact = models.CharField(_("联系人/联系方式"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="open311_keys",
    )
    active = models.BooleanField(_("有效"), default=True)
    rate_limit_per_hour = models.PositiveIntegerField(_("每小时请求上限"), default=1000)
    created_at = models.DateTimeField(_("签发时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.CharField(_("吊销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Open311 API 密钥")
        verbose_name_plural = _("Open311 API 密钥")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Datatype(models.TextChoices):
    """The six attribute datatypes of GeoReport v2."""

    STRING = "string", _("短文本")
    NUMBER = "number", _("数字")
    DATETIME = "datetime", _("日期时间")
    TEXT = "text", _("长文本")
    SINGLEVALUELIST = "singlevaluelist", _("单选")
    MULTIVALUELIST = "multivaluelist", _("多选")


LIST_DATATYPES = {Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST}


class ServiceAttribute(models.Model):
    """One attribute of a service definition (GET services/{service_code}); a service is a minor class
    (grid.Category), so the attributes hang off the category."""

    category = models.ForeignKey(
        "grid.Category", verbose_name=_("分类"), on_delete=models.CASCADE, related_name="open311_attributes"
    )
    code = models.CharField(_("代码"), max_length=40)
    # False: information shown to the user only (no input expected).
    variable = models.BooleanField(_("需要填写"), default=True)
    datatype = models.CharField(_("数据类型"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("必填"), default=False)
    datatype_description = models.CharField(_("格式说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    description = models.CharField(_("问题"), max_length=300)
    # [{"key": "...", "name": "..."}] for the two list datatypes.
    values = models.JSONField(_("可选值"), default=list, blank=True)

    class Meta:
        verbose_name = _("Open311 服务属性")
        verbose_name_plural = _("Open311 服务属性")
        ordering = ["category_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.code}"


class RequestToken(models.Model):
    """A token issued for an accepted request (GET tokens/{token} answers its service_request_id)."""

    token = models.CharField(_("令牌"), max_length=40, unique=True)
    event = models.OneToOneField(
        "grid.GridEvent", verbose_name=_("事件"), on_delete=models.PROTECT, related_name="open311_token"
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("密钥"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"))

    class Meta:
        verbose_name = _("Open311 请求令牌")
        verbose_name_plural = _("Open311 请求令牌")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.token
