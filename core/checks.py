"""Checks run when the server starts (`manage.py check`, runserver, migrate)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from core.pdf import FONT_MISSING, cjk_fonts


@register("zhili")
def check_cjk_font(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Documents (certificates, enforcement forms, reports) need a Chinese font on the server."""
    if cjk_fonts():
        return []
    return [Warning(FONT_MISSING, hint="apt-get install fonts-noto-cjk", id="core.W001")]


@register(Tags.security, deploy=True)
def check_public_base_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Certificates print a QR code and a verification address residents open: in production it must
    be the public address; without it certificates are refused (licences.documents)."""
    if getattr(settings, "DEMO_MODE", True) or settings.PUBLIC_BASE_URL:
        return []
    return [
        Warning(
            "PUBLIC_BASE_URL is not set: certificates (their QR codes and verify links) cannot be issued",
            hint="Set PUBLIC_BASE_URL=https://<the address residents use> (docs/configuration.md).",
            id="core.W002",
        )
    ]
