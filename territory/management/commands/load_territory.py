"""manage.py load_territory: create or update 相城区 with synthetic boundaries (idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.errors import DomainError
from territory.actions.loading import do_load_territory


class Command(BaseCommand):
    help = (
        "Load the district, its 13 towns, 143 villages, synthetic grids and enforcement zones (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--actor", default="system", help="username recorded in the audit trail (default: system)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = get_user_model().objects.filter(username=options["actor"]).first()
        try:
            counts = do_load_territory(actor=actor, now=timezone.now())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(", ".join(f"{k}={v}" for k, v in counts.items()))
