"""A user → the territory codes they may see, and the scoped querysets every read goes through."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models

from accounts.models import Assignment, User
from territory.scoping import covers, minimal_codes, scope

M = TypeVar("M", bound=models.Model)


def jurisdiction_codes(user: User | AnonymousUser) -> list[str]:
    """The territory codes of the user's active assignments, reduced to the shortest covering set.
    Cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[str] | None = getattr(user, "_jurisdiction_cache", None)
    if cached is None:
        codes = Assignment.objects.filter(user=user, active=True).values_list("territory_code", flat=True)
        cached = minimal_codes(codes)
        user._jurisdiction_cache = cached  # type: ignore[attr-defined]
    return cached


def user_roles(user: User | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Assignment.objects.filter(user=user, active=True).values_list("role", flat=True))


def scope_for(user: User | AnonymousUser, queryset: models.QuerySet[M], field: str) -> models.QuerySet[M]:
    """The one scoping function: rows of `queryset` whose `field` code lies in the user's jurisdiction."""
    return scope(queryset, jurisdiction_codes(user), field)


def may_see_code(user: User | AnonymousUser, code: str) -> bool:
    return covers(jurisdiction_codes(user), code)
