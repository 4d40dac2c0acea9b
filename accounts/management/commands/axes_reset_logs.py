"""Remove old axes logs rows; security administrator only."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from accounts.management.commands._unlock import UnlockCommand
from accounts.unlock import do_reset_logs


class Command(UnlockCommand):
    help = "Remove axes logs older than --age days (security administrator, --actor)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--age", type=int, default=30, help="maximum age of the rows kept, in days")

    def reset(self, actor: Any, options: dict[str, Any]) -> int:
        return do_reset_logs(actor=actor, now=self.now(), age_days=options["age"], failures=False)
