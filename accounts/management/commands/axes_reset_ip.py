"""Unlock client addresses; security administrator only."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from accounts.management.commands._unlock import UnlockCommand
from accounts.unlock import do_reset_lockouts


class Command(UnlockCommand):
    help = (
        "Reset the access attempts and lockouts of the given IP addresses (security administrator, --actor)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("ip", nargs="+", type=str)

    def reset(self, actor: Any, options: dict[str, Any]) -> int:
        now = self.now()
        return sum(do_reset_lockouts(actor=actor, now=now, ip_address=ip) for ip in options["ip"])
