"""`manage.py outbox_status`: rows per state and the dead letters, for an operator's terminal."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notifications.selectors import dead_letters, outbox_state_counts
from outbox.models import OutboxMessage


class Command(BaseCommand):
    help = "Print outbox counts per state and list dead letters (id, kind, attempts, last_error)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=50, help="dead letters to list (default 50)")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        counts = outbox_state_counts()
        labels = dict(OutboxMessage.State.choices)
        self.stdout.write("outbox messages per state:")
        for state, n in counts.items():
            self.stdout.write(f"  {state:<8} {n:>8}  {labels[state]}")
        dead = counts[OutboxMessage.State.DEAD]
        if not dead:
            self.stdout.write("no dead letters.")
            return
        self.stdout.write(f"dead letters ({dead}, showing up to {limit}):")
        self.stdout.write(f"  {'id':>8}  {'kind':<30} {'attempts':>8}  last_error")
        for message in dead_letters()[:limit]:
            error = " ".join(message.last_error.split())[:120]
            self.stdout.write(f"  {message.pk:>8}  {message.kind:<30} {message.attempts:>8}  {error}")
