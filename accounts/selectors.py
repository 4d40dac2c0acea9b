"""Reads of people and organisation, scoped by jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.jurisdiction import jurisdiction_codes, scope_for
from accounts.models import Assignment, OrgUnit, User


@dataclass(frozen=True)
class Profile:
    user: User
    assignments: list[Assignment]
    roles: list[str]
    jurisdiction: list[str]


def profile_for(user: User | AnonymousUser) -> Profile:
    assert isinstance(user, User)
    assignments = list(
        Assignment.objects.filter(user=user, active=True).select_related("org_unit", "reports_to").order_by("id")
    )
    roles = sorted({a.role for a in assignments})
    return Profile(user=user, assignments=assignments, roles=roles, jurisdiction=jurisdiction_codes(user))


def org_units_visible_to(user: User | AnonymousUser) -> QuerySet[OrgUnit]:
    return scope_for(user, OrgUnit.objects.all(), "territory_code")


def people_visible_to(user: User | AnonymousUser) -> QuerySet[User]:
    """People with at least one assignment inside the viewer's jurisdiction."""
    visible = scope_for(user, Assignment.objects.filter(active=True), "territory_code")
    return User.objects.filter(pk__in=visible.values("user_id")).order_by("username")
