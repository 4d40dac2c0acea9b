"""Open311 settings, each with a default so nothing has to be set. A deployment may set them in
zhili/settings.py (from the environment)."""

from __future__ import annotations

from django.conf import settings

DEFAULT_JURISDICTION_ID = "xiangcheng.suzhou.gov.cn"
DEFAULT_CONTACT = "相城区集成指挥中心（区社会治理现代化综合指挥中心）：0512-12345，或发邮件至平台管理员。"
DEFAULT_KEY_SERVICE = "API 密钥由平台管理员在后台「Open311 API 密钥」签发；请联系区集成指挥中心申请。"
DEFAULT_RATE_LIMIT_PER_HOUR = 1000
# The date this API last changed in a way clients should notice (discovery `changeset`).
API_CHANGESET = "2026-03-01T00:00:00+08:00"


def jurisdiction_id() -> str:
    """The one jurisdiction this endpoint serves; an empty value switches the check off."""
    return str(getattr(settings, "OPEN311_JURISDICTION_ID", DEFAULT_JURISDICTION_ID))


def contact() -> str:
    return str(getattr(settings, "OPEN311_CONTACT", DEFAULT_CONTACT))


def key_service() -> str:
    return str(getattr(settings, "OPEN311_KEY_SERVICE", DEFAULT_KEY_SERVICE))


def endpoint_type() -> str:
    """ "test" while demo data may exist, "production" otherwise (discovery `type`)."""
    configured = getattr(settings, "OPEN311_ENDPOINT_TYPE", "")
    if configured:
        return str(configured)
    return "test" if getattr(settings, "DEMO_MODE", False) else "production"


def default_rate_limit() -> int:
    return int(getattr(settings, "OPEN311_RATE_LIMIT_PER_HOUR", DEFAULT_RATE_LIMIT_PER_HOUR))
