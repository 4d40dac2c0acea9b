"""Checks run when the server starts (`manage.py check`, runserver, migrate)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register

from core.pdf import FONT_MISSING, cjk_fonts


@register("zhili")
def check_cjk_font(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Documents (certificates, enforcement forms, reports) need a Chinese font on the server."""
    if cjk_fonts():
        return []
    return [Warning(FONT_MISSING, hint="apt-get install fonts-noto-cjk", id="core.W001")]
