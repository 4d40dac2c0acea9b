"""System checks of accounts. zhili.E001 runs on every `check` (and so on runserver, migrate and
`check --deploy`): a production deployment (ZHILI_DEMO=0) must not carry the demo personas, whose
password is published."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError


@register("zhili")
def demo_accounts_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "DEMO_MODE", True):
        return []
    from accounts.models import User

    try:
        present = User.objects.filter(is_demo=True, is_active=True).exists()
    except DatabaseError:
        # Not migrated yet (or unreachable): nothing to check; migrate runs this check again.
        return []
    if not present:
        return []
    return [
        Error(
            "demo accounts present in production; delete them or set ZHILI_DEMO=1",
            hint="Demo personas share a published password. Deactivate or remove every user with "
            "is_demo=True (or start from a database that never ran `seed_demo`), or run in demo mode.",
            id="zhili.E001",
        )
    ]


@register("zhili", deploy=True)
def superusers_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """三员分立: in production nobody but the documented break-glass account (ZHILI_BREAK_GLASS_USER) is a
    superuser; the everyday work belongs to the system, security and audit administrators."""
    if getattr(settings, "DEMO_MODE", True):
        return []
    from accounts.models import User

    try:
        names = sorted(
            User.objects.filter(is_superuser=True, is_active=True)
            .exclude(username=settings.BREAK_GLASS_USER)
            .values_list("username", flat=True)
        )
    except DatabaseError:
        return []
    if not names:
        return []
    return [
        Warning(
            f"active superusers besides the break-glass account: {', '.join(names[:10])}",
            hint="MLPS level 3 separates system, security and audit administration (docs/security.md, "
            "三员分立): give these people one administrator group each and clear is_superuser, or name "
            "the one break-glass account in ZHILI_BREAK_GLASS_USER.",
            id="zhili.W002",
        )
    ]
