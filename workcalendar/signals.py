"""A hook for the layers above: `holidays_entered` is sent inside the transaction that writes a year's
holiday data, naming the years that were provisional (Monday–Friday fallback) until then, so deadlines
counted over them can be recomputed in the same transaction (workflow.recompute listens). The calendar
does not import its listeners: they connect themselves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.dispatch import Signal

# Keyword arguments: years (tuple[int, ...]): years provisional before this write and not any more;
# actor; now (datetime).
holidays_entered = Signal()


def provisional_years(years: list[int] | tuple[int, ...]) -> tuple[int, ...]:
    """Of `years`, those the calendar counts provisionally right now (read before a write)."""
    from workcalendar import service

    return tuple(sorted(y for y in set(years) if service.day_info(date(y, 1, 1)).provisional))


def send_entered(years_before: tuple[int, ...], *, actor: Any, now: datetime) -> None:
    """After a write (inside its transaction, cache already invalidated): announce the years that stopped
    being provisional."""
    now_provisional = set(provisional_years(years_before))
    entered = tuple(y for y in years_before if y not in now_provisional)
    if entered:
        holidays_entered.send(sender=None, years=entered, actor=actor, now=now)
