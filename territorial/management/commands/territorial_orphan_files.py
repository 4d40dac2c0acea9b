"""List (and with --delete remove) the voucher and photo files no row refers to: left by a process killed
between writing a file and committing its row, or by a caller's transaction rolled back around an action
(territorial.files)."""

from datetime import timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from territorial.files import orphan_files


class Command(BaseCommand):
    help = "三资附件清理：列出（--delete 时删除）没有记录引用的凭证和资产照片文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            help="only files written at least this many hours ago (a younger file may await its commit)",
        )
        parser.add_argument("--delete", action="store_true", help="delete them (default: list only)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hours"] < 1:
            raise CommandError("--hours must be at least 1")
        cutoff = timezone.now() - timedelta(hours=options["hours"])
        names = orphan_files(written_before=cutoff)
        for name in names:
            if options["delete"]:
                default_storage.delete(name)
            self.stdout.write(name)
        verb = "deleted" if options["delete"] else "found"
        self.stdout.write(f"{len(names)} orphan file(s) {verb}")
