"""Evaluate the early-warning rules now (what the periodic job does every 5 minutes) and print what each
rule found, raised and withdrew. `--rule` limits the run to the named rules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from command.warnings.actions import evaluate_warnings
from command.warnings.models import Rule


class Command(BaseCommand):
    help = "Evaluate the early-warning rules: raise new warnings, withdraw cleared ones (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rule", action="append", choices=list(Rule.values), help="only this rule")

    def handle(self, *args: Any, **options: Any) -> None:
        report = evaluate_warnings(now=timezone.now(), rules=options["rule"])
        for rule, counts in report.items():
            self.stdout.write(
                f"{rule}: found {counts['found']}, raised {counts['raised']}, "
                f"withdrawn {counts['withdrawn']}, failed {counts['failed']}"
            )
        if any(counts["failed"] for counts in report.values()):
            raise CommandError("some rules or warnings failed (see the log)")
