"""The size rule of an enforcement zone (执法片区): the squad that covers it covers 2–6 second-level grids
(villages/communities, DOMAIN.md). The bounds are configuration (ENFORCEMENT_ZONE_MIN_VILLAGES /
_MAX_VILLAGES); every door that sets a zone's villages or a squad's zone checks them here."""

from __future__ import annotations

from django.conf import settings

from core.errors import DomainError

DEFAULT_MIN_VILLAGES = 2
DEFAULT_MAX_VILLAGES = 6


def zone_bounds() -> tuple[int, int]:
    low = int(getattr(settings, "ENFORCEMENT_ZONE_MIN_VILLAGES", DEFAULT_MIN_VILLAGES))
    high = int(getattr(settings, "ENFORCEMENT_ZONE_MAX_VILLAGES", DEFAULT_MAX_VILLAGES))
    return low, high


def zone_size_problem(villages: int) -> str | None:
    low, high = zone_bounds()
    if low <= villages <= high:
        return None
    return (
        f"执法片区须包含 {low}–{high} 个村/社区（二级网格），实际为 {villages} 个。"
        f"A zone covers {low}–{high} villages, not {villages}."
    )


def check_zone_size(villages: int, *, field: str = "villages") -> None:
    problem = zone_size_problem(villages)
    if problem is not None:
        raise DomainError("zone_size", problem, field=field)
