"""`manage.py seal_audit`: seal the unsealed audit rows into blocks now (the huey task does it every
minute). Safe to run beside the task: sealers take turns on one lock."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.sealing import seal_pending


class Command(BaseCommand):
    help = "Seal unsealed audit rows, in id order, into HMAC-chained blocks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--block-size", type=int, default=None, help="rows per block (AUDIT_SEAL_BLOCK_SIZE)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = seal_pending(block_size=options["block_size"])
        if not result.watermark_taken:
            raise CommandError("a long transaction holds the audit table; nothing sealed, try again")
        self.stdout.write(f"sealed {result.rows} events in {result.blocks} blocks")
