"""Fold the ledger's new transitions into the rollup now (the periodic job does it every minute), or
with --rebuild forget the rollup and fold the whole ledger again (after `reconcile_figures` found a
difference)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from workflow.rollups import fold_all, rebuild, registered


class Command(BaseCommand):
    help = "Fold new transitions into the ledger rollup (or --rebuild it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="refold the whole ledger")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        for name in registered():
            n = rebuild(name, now=now) if options["rebuild"] else fold_all(name, now=now)
            self.stdout.write(f"{name}: {n} transitions folded")
