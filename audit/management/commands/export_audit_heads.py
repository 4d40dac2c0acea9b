"""`manage.py export_audit_heads`: seal, then append the newest signed chain head to a file the
operator ships elsewhere (default AUDIT_HEADS_FILE; the huey task does it every ten minutes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from audit.actions import record_admin_command
from audit.heads import export_head
from audit.sealing import seal_pending
from core.adminroles import AdminRole, command_actor


class Command(BaseCommand):
    help = "Append the newest signed audit chain head to a file (JSON lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--actor", default=None, help="the audit administrator running this (required in production)"
        )
        parser.add_argument("--out", default=None, help="file to append to (AUDIT_HEADS_FILE)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options["actor"], AdminRole.AUDIT)
        seal_pending()
        path = Path(options["out"] or settings.AUDIT_HEADS_FILE)
        line = export_head(path, now=timezone.now())
        if line is None:
            self.stdout.write(f"no new head for {path}")
        else:
            self.stdout.write(f"{path}: {json.dumps(line, sort_keys=True)}")
        record_admin_command(actor, "audit.heads_exported", after={"file": str(path), "head": line})
