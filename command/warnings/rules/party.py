"""一肩挑: a grid where the rule applies (party's `one_shoulder_checks`; every grid or comprehensive ones
only, PARTY_ONE_SHOULDER_ALL_GRIDS) has no grid head (橙), or its head is not the secretary of the branch
over it (黄)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from party.selectors import one_shoulder_checks
from territory.models import Division

from ..models import Level, Rule
from .base import Finding, Owners, RuleFn, local_day, place_name

ONE_SHOULDER_PROBLEMS = {
    "no_head": ("无网格长", Level.ORANGE),
    "no_branch": ("网格及所在村无党支部", Level.YELLOW),
    "no_secretary": ("所属党支部无书记", Level.YELLOW),
    "head_not_secretary": ("网格长不是所属党支部书记", Level.YELLOW),
}


def one_shoulder(now: datetime, owners: Owners) -> list[Finding]:
    """Grids failing the 一肩挑 check today, one situation per grid and problem. Its warning is raised
    once while open; a finished one whose gap still stands comes back the next month (the month is in
    the fingerprint); assigning the secretary ends the situation and withdraws an open warning."""
    counties = list(Division.objects.filter(level=Division.Level.DISTRICT).values_list("code", flat=True))
    month = local_day(now).strftime("%Y-%m")
    found = []
    for check in one_shoulder_checks(counties):
        if check.satisfied:
            continue
        what, level = ONE_SHOULDER_PROBLEMS[check.problem]
        key = f"one_shoulder:{check.grid_code}:{check.problem}"
        found.append(
            Finding(
                rule=Rule.ONE_SHOULDER,
                level=level,
                fingerprint=f"{key}:{month}",
                key=key,
                territory_code=check.grid_code,
                owner_unit=owners.of(check.grid_code),
                title=f"一肩挑：{place_name(check.village_code)} {check.grid_name}{what}"[:200],
                summary=f"{check.grid_name}（{check.grid_code}）{what}；网格长应由所属党支部书记担任。",
                evidence={
                    "grid_code": check.grid_code,
                    "grid_name": check.grid_name,
                    "village_code": check.village_code,
                    "problem": check.problem,
                    "all_grids": bool(settings.PARTY_ONE_SHOULDER_ALL_GRIDS),
                },
            )
        )
    return found


RULES: dict[str, RuleFn] = {Rule.ONE_SHOULDER: one_shoulder}
