"""Short helpers for calendar tests: build table years through the import action."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from workcalendar.actions import ImportResult, do_import_calendar
from workcalendar.tests.conftest import NOW

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def at_local(moment: datetime) -> tuple[str, time]:
    """(ISO date, wall-clock time) of an instant in Asia/Shanghai, for readable assertions."""
    shown = moment.astimezone(SHANGHAI)
    return shown.date().isoformat(), shown.time()


def import_rows(rows: list[tuple[str, str, str]], *, actor: Any, source_note: str = "") -> ImportResult:
    return do_import_calendar(
        [{"date": d, "kind": k, "name": n} for d, k, n in rows], actor=actor, now=NOW, source_note=source_note
    )
