"""`manage.py rotate_audit_key --key-file PATH`: append a new key version to the audit key file.
New rows and blocks use it once the processes restart; older rows keep verifying with their own key
id, so never remove a key that rows still name (docs/security.md "Audit trail")."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.actions import record_admin_command
from audit.keys import new_key_line, parse_keys
from core.adminroles import AdminRole, command_actor


class Command(BaseCommand):
    help = "Append a new audit HMAC key version to the key file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--actor", default=None, help="the security administrator running this (required in production)"
        )
        parser.add_argument("--key-file", required=True, help="the file AUDIT_KEY_FILE names")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options["actor"], AdminRole.SECURITY)
        path = Path(options["key_file"])
        existing = parse_keys(path.read_text(encoding="utf-8")) if path.exists() else {}
        key_id, secret = new_key_line(existing)
        if key_id in existing:  # pragma: no cover - new_key_line picks an unused id
            raise CommandError(f"key id {key_id} exists")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(f"{key_id} {secret}\n")
        self.stdout.write(
            f"added audit key {key_id} to {path}; unset AUDIT_KEY_ID (or set it to {key_id}), restart web "
            "and job processes, and back the key file up now"
        )
        record_admin_command(actor, "audit.key_rotated", after={"key_id": key_id, "file": str(path)})
