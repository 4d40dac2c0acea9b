"""`manage.py demo_logins`: the demo personas to log in with (demo mode only)."""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.jurisdiction import jurisdiction_codes
from accounts.models import Assignment, User
from accounts.selectors import territory_names
from demo.seed import PASSWORD, personas


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the demo personas: username, password, who they are, org unit, jurisdiction."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("demo_logins runs only in demo mode (ZHILI_DEMO=1)")
        try:
            cast = personas()
        except LookupError as exc:
            raise CommandError(f"{exc}; run `manage.py seed_demo` first") from exc
        users = {
            u.username: u for u in User.objects.filter(username__in=[p.username for p in cast], is_demo=True)
        }
        rows = [("username", "password", "who", "org unit", "jurisdiction")]
        for persona in cast:
            user = users.get(persona.username)
            if user is None:
                continue
            units = sorted(
                {
                    a.org_unit.name
                    for a in Assignment.objects.filter(user=user, active=True).select_related("org_unit")
                }
            )
            territory = ", ".join(
                f"{t.code} {t.name}".strip() for t in territory_names(jurisdiction_codes(user))
            )
            rows.append(
                (user.username, PASSWORD, f"{user.display_name} · {persona.who}", "; ".join(units), territory)
            )
        if len(rows) == 1:
            raise CommandError("no demo personas found; run `manage.py seed_demo` first")
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"Demo logins (http://127.0.0.1:{port}/login/):")
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        if settings.PUBLIC_BASE_URL:
            where = f"point at {settings.PUBLIC_BASE_URL} (PUBLIC_BASE_URL)"
        else:
            where = "cannot be issued: PUBLIC_BASE_URL is not set"
        self.stdout.write(
            f"Certificate QR codes and verify links {where}; for a phone on this network, "
            f"start with PUBLIC_BASE_URL=http://<this machine's address>:{port} make run"
        )
