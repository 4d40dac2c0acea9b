"""The shared shape of the `axes_reset*` commands: they replace django-axes' own (this app comes first in
INSTALLED_APPS), run as the security administrator named by `--actor`, and go through accounts.unlock."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.adminroles import AdminRole, command_actor
from core.errors import DomainError


class UnlockCommand(BaseCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--actor", help="username of the security administrator (安全管理员) running this"
        )

    def reset(self, actor: Any, options: dict[str, Any]) -> int:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options.get("actor"), AdminRole.SECURITY)
        try:
            count = self.reset(actor, options)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{count} removed." if count else "Nothing found.")

    @staticmethod
    def now() -> Any:
        return timezone.now()
