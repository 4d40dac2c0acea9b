"""Unlock every account and address (all attempts go); security administrator only."""

from __future__ import annotations

from typing import Any

from accounts.management.commands._unlock import UnlockCommand
from accounts.unlock import do_reset_lockouts


class Command(UnlockCommand):
    help = "Reset all access attempts and lockouts (security administrator, --actor)"

    def reset(self, actor: Any, options: dict[str, Any]) -> int:
        return do_reset_lockouts(actor=actor, now=self.now())
