"""Electronic certificates (电子证照) and what they are checked against: licence types, issued
certificates, phone-verification challenges, and the property register (产权登记) that the 24-hour
self-service no-housing certificate (无房证明) is checked against."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PhoneChallenge(models.Model):
    """One SMS verification code sent to a phone for a purpose. Only a keyed hash of the code and of the
    phone are kept (plus the encrypted phone, for support); the clear code exists only in the SMS."""

    purpose = models.CharField(_("用途"), max_length=40)
    phone_hash = models.CharField(_("手机号查询哈希"), max_length=64)
    phone_encrypted = models.TextField(_("手机号（加密）"))
    code_salt = models.CharField(_("验证码盐"), max_length=32)
    code_hash = models.CharField(_("验证码哈希"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("核验次数"), default=0)
    confirmed_at = models.DateTimeField(_("核验通过时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone_hash", "purpose", "created_at"], name="phone_challenge_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} #{self.pk}"
