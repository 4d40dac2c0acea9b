"""The admin's save of a division (district, town, village): its code under its parent's, names, seats.
Boundaries come from the boundary import (`territory.actions.boundaries`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from audit.actions import record_event
from core.errors import DomainError
from territory.actions.common import require_steward
from territory.models import Division


def do_save_division(division: Division, *, actor: Any, now: datetime) -> Division:
    """The admin's save of a division (names, seats). Boundaries come from import_boundaries."""
    with transaction.atomic():
        require_steward(actor)
        expected = {"district": 6, "town": 9, "village": 12}[division.level]
        if not (division.code.isascii() and division.code.isdigit() and len(division.code) == expected):
            raise DomainError(
                "invalid_code", f"该层级的代码须为 {expected} 位数字。Malformed code.", field="code"
            )
        if division.level != Division.Level.DISTRICT:
            parent = Division.objects.filter(code=division.parent_id).first()
            if parent is None or not division.code.startswith(parent.code):
                raise DomainError(
                    "invalid_parent",
                    "上级须为代码前缀相同的区划。Parent must prefix the code.",
                    field="parent",
                )
        old = Division.objects.filter(code=division.code).first()
        fields = ["name", "level", "parent_id", "seat_lon", "seat_lat", "synthetic"]
        before = {f: getattr(old, f) for f in fields} if old is not None else None
        division.save()
        after = {f: getattr(division, f) for f in fields}
        if before != after:
            record_event(
                actor=actor,
                action="territory.division.created" if before is None else "territory.division.changed",
                subject=division,
                territory_code=division.code,
                before=before,
                after=after,
                now=now,
            )
    return division
