"""Check that every 三资 account's balance equals the sum of its ledger entries; exit 1 otherwise."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from territorial.selectors import unreconciled


class Command(BaseCommand):
    help = "三资对账：账户余额须等于其账目合计。"

    def handle(self, *args: Any, **options: Any) -> None:
        problems = unreconciled()
        for account, total in problems:
            self.stderr.write(f"{account.pk} {account}: balance {account.balance} != entries {total}")
        if problems:
            raise CommandError(f"{len(problems)} account(s) do not reconcile")
        self.stdout.write("all accounts reconcile")
