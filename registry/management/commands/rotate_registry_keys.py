"""Re-seal registry personal data under PII_KEY_VERSION, in batches; safe to stop and run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from registry.rotation import rotate


class Command(BaseCommand):
    help = "Re-encrypt registry personal data under the current key version (PII_KEY_VERSION), resumable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--max-batches", type=int, default=None, help="stop after this many batches")

    def handle(self, *args: Any, **options: Any) -> None:
        report = rotate(batch_size=options["batch_size"], max_batches=options["max_batches"])
        state = "finished" if report.finished else "stopped (run again to resume)"
        self.stdout.write(
            f"key version {report.target_version}: re-sealed {report.resealed} rows in "
            f"{report.batches} batches, {state}"
        )
