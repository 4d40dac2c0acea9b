"""`manage.py verify_audit`: exit 0 on an intact audit chain, non-zero naming the first broken row.
Run it periodically (see docs/deploy.md) and after every restore."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit non-zero at the first edited or missing row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000, help="rows read per query")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(batch_size=options["batch_size"])
        if report.broken is not None:
            b = report.broken
            what = (
                "content changed (row edited)"
                if b.kind == "content"
                else "link broken (a previous row was deleted or rewritten)"
            )
            raise CommandError(
                f"audit chain broken at event id={b.event_id}: {what}; "
                f"{report.checked} events before it are intact"
            )
        self.stdout.write(f"audit chain intact: {report.checked} events verified")
