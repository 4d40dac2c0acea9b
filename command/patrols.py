"""巡查覆盖率 in the command centre: the grid's own computation (grid.patrols.selectors.coverage_by_item:
each active patrol item's check-in slots due in the period, and those done) over whole local days — for
one unit, for sibling units in one read (rankings, the choropleth), and as the due slots behind the
figure (its drill-down: one row per slot due, so the list's length is the denominator and its done rows
the numerator). Patrol check-ins are not on the work ledger, so there is no rollup to read."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.drill import drill_row
from grid.models import PatrolFrequency, PatrolItem
from grid.patrols.selectors import coverage_by_item, patrol_coverage, slot_first_day

CODE = "patrol_coverage"


def _bounds(first_day: date, end_day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(first_day, time.min), zone),
        timezone.make_aware(datetime.combine(end_day, time.min), zone),
    )


def coverage(prefix: str, first_day: date, end_day: date) -> tuple[int, int]:
    """(check-ins done, check-ins due) under the prefix over [first_day, end_day)."""
    return patrol_coverage([prefix], *_bounds(first_day, end_day))


def coverage_by_unit(codes: list[str], first_day: date, end_day: date) -> dict[str, tuple[int, int]]:
    """`coverage` of several units (territory codes, none inside another) in one read."""
    out = dict.fromkeys(codes, (0, 0))
    for found in coverage_by_item(codes, *_bounds(first_day, end_day)):
        unit = next(code for code in codes if found.grid_code.startswith(code))
        done, due = out[unit]
        out[unit] = (done + len(found.done), due + len(found.due))
    return out


def drill(prefix: str, first_day: date, end_day: date, limit: int) -> tuple[list[dict[str, Any]], int]:
    """The first `limit` check-in slots due under the prefix (per patrol item, in slot order) and how many
    are due: each row a patrol item, the slot's first day and whether it was checked in."""
    found = coverage_by_item([prefix], *_bounds(first_day, end_day))
    total = sum(len(c.due) for c in found)
    slots = [(c, slot) for c in found for slot in c.due][:limit]
    ids = {c.item_id for c, _slot in slots}
    names = dict(PatrolItem.objects.filter(pk__in=ids).values_list("id", "name"))
    frequencies = dict(PatrolFrequency.choices)
    rows = []
    for c, slot in slots:
        title = _("%(name)s（%(frequency)s）") % {
            "name": names.get(c.item_id, ""),
            "frequency": frequencies.get(c.frequency, c.frequency),
        }
        state = _("已打卡") if slot in c.done else _("未打卡")
        day = slot_first_day(slot, c.frequency)
        rows.append(drill_row(f"{c.item_id}-{day.isoformat()}", "", title, state, c.grid_code, day))
    return rows, total
