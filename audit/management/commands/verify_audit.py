"""`manage.py verify_audit`: exit 0 on an intact audit trail, non-zero naming the first broken row or
block. Reports the sealing lag; with `--heads FILE` also checks that every exported signed head is
still in the database (a cut-off tail). Run it periodically (see docs/deploy.md) and after every
restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.actions import record_admin_command
from audit.heads import check_heads
from audit.verify import verify_chain
from core.adminroles import AdminRole, command_actor

_WHAT = {
    "content": "content changed (row edited or re-hashed without the key)",
    "link": "link broken (a previous unkeyed row was deleted or rewritten)",
    "block": "sealed block does not match its rows (a row deleted, inserted or re-hashed)",
    "unsealed-legacy": "unkeyed row outside every sealed block (rewritten with an unkeyed hash?)",
    "unknown-key": "names a key id that is not configured",
}


class Command(BaseCommand):
    help = "Verify the audit trail's keyed hashes and sealed blocks; exit non-zero at the first break."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--actor", default=None, help="the audit administrator running this (required in production)"
        )
        parser.add_argument("--batch-size", type=int, default=2000, help="rows read per query")
        parser.add_argument("--heads", default=None, help="a file of exported signed heads to check against")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options["actor"], AdminRole.AUDIT)
        report = verify_chain(batch_size=options["batch_size"])
        if report.broken is not None:
            b = report.broken
            where = f"block {b.event_id}" if b.kind == "block" else f"event id={b.event_id}"
            raise CommandError(
                f"audit chain broken at {where}: {_WHAT[b.kind]}; "
                f"{report.checked} events before it are intact"
            )
        if options["heads"]:
            checked, problems = check_heads(Path(options["heads"]))
            if problems:
                raise CommandError(
                    "exported heads do not match: "
                    + "; ".join(f"line {p.line}: {p.message}" for p in problems)
                )
            self.stdout.write(f"{checked} exported heads found in the database")
        lag = ""
        if report.oldest_unsealed_at is not None:
            age = int((timezone.now() - report.oldest_unsealed_at).total_seconds())
            lag = f", oldest unsealed {age} s old"
        self.stdout.write(
            f"audit chain intact: {report.checked} events verified, {report.blocks} blocks, "
            f"{report.unsealed} events not yet sealed{lag}"
        )
        record_admin_command(
            actor,
            "audit.verified",
            after={"events": report.checked, "blocks": report.blocks, "heads": bool(options["heads"])},
        )
