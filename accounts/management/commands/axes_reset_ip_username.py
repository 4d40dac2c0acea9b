"""Unlock one username at one client address; security administrator only."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from accounts.management.commands._unlock import UnlockCommand
from accounts.unlock import do_reset_lockouts


class Command(UnlockCommand):
    help = "Reset the access attempts of a username at an IP address (security administrator, --actor)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("ip", type=str)
        parser.add_argument("username", type=str)

    def reset(self, actor: Any, options: dict[str, Any]) -> int:
        return do_reset_lockouts(
            actor=actor, now=self.now(), ip_address=options["ip"], username=options["username"]
        )
