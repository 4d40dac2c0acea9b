"""The row a figure's drill-down lists (command desk, `/command/items/`, `figures/items/`): one shape for
work items and for the records of the party and 三资 registers, so one template shows them all."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def drill_row(
    pk: Any, number: str, title: str, state: str, where: str, at: Any, url: str = ""
) -> dict[str, Any]:
    return {
        "id": pk,
        "receipt_number": number,
        "title": title,
        "state": state,
        "territory_code": where,
        "category": "",
        # A date-only moment (a due day) goes in `day`, shown without a time.
        "created_at": at if isinstance(at, datetime) else None,
        "day": at if isinstance(at, date) and not isinstance(at, datetime) else None,
        "overdue": False,
        "url": url,
    }
