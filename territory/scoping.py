"""The one jurisdiction filter. It takes territory codes, not users: `accounts` turns a user into codes.
A code covers everything whose code starts with it (district → town → village → grid)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import models
from django.db.models import Q

M = TypeVar("M", bound=models.Model)


def minimal_codes(codes: Iterable[str]) -> list[str]:
    """Drop codes already covered by a shorter one: {3205070, 320507003} → {320507}."""
    result: list[str] = []
    for code in sorted(set(codes), key=len):
        if not any(code.startswith(kept) for kept in result):
            result.append(code)
    return sorted(result)


def covers(codes: Iterable[str], code: str) -> bool:
    return any(code.startswith(c) for c in codes)


def within(codes: Iterable[str], field: str) -> Q:
    """A Q matching rows whose `field` lies inside any of `codes`; no codes → matches nothing."""
    q = Q(pk__in=[])
    for code in minimal_codes(codes):
        q |= Q(**{f"{field}__startswith": code})
    return q


def scope(queryset: models.QuerySet[M], codes: Iterable[str], field: str) -> models.QuerySet[M]:
    return queryset.filter(within(codes, field))
