"""Reads of people and organisation, scoped by jurisdiction. Outside the viewer's jurisdiction a row is
simply not found (404), never refused."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from accounts.jurisdiction import jurisdiction_codes, scope_for
from accounts.models import Assignment, OrgUnit, User
from core.errors import NotFound
from territory import refs


@dataclass(frozen=True)
class Territory:
    code: str
    name: str


@dataclass(frozen=True)
class Profile:
    user: User
    assignments: list[Assignment]
    roles: list[str]
    jurisdiction: list[str]

    @property
    def org_units(self) -> list[OrgUnit]:
        seen: dict[int, OrgUnit] = {}
        for a in self.assignments:
            seen.setdefault(a.org_unit_id, a.org_unit)
        return list(seen.values())

    @property
    def role_choices(self) -> list[tuple[str, str]]:
        labels = {a.role: a.get_role_display() for a in self.assignments}
        return [(code, str(labels[code])) for code in self.roles]

    @property
    def territories(self) -> list[Territory]:
        return territory_names(self.jurisdiction)

    @property
    def assignment_rows(self) -> list[tuple[Assignment, Territory]]:
        """Each assignment with the name of the division or grid it covers (people read names)."""
        places = territory_names([a.territory_code for a in self.assignments])
        return list(zip(self.assignments, places, strict=True))


def territory_names(codes: list[str]) -> list[Territory]:
    """Codes with the names of their divisions or grids (from the process cache: at most two queries
    whatever the number of codes)."""
    names = refs.territory_names(codes)
    return [Territory(code=c, name=names.get(c, "")) for c in codes]


def profile_for(user: User | AnonymousUser) -> Profile:
    assert isinstance(user, User)
    assignments = list(
        Assignment.objects.filter(user=user, active=True)
        .select_related("org_unit", "reports_to")
        .order_by("id")
    )
    roles = sorted({a.role for a in assignments})
    return Profile(user=user, assignments=assignments, roles=roles, jurisdiction=jurisdiction_codes(user))


def org_units_visible_to(user: User | AnonymousUser) -> QuerySet[OrgUnit]:
    return scope_for(user, OrgUnit.objects.select_related("parent"), "territory_code")


def get_org_unit_for(user: User | AnonymousUser, code: str) -> OrgUnit:
    unit = org_units_visible_to(user).filter(code=code).first()
    if unit is None:
        raise NotFound()
    return unit


def people_visible_to(
    user: User | AnonymousUser,
    *,
    role: str | None = None,
    org_unit: str | None = None,
    territory: str | None = None,
) -> QuerySet[User]:
    """People with at least one active assignment inside the viewer's jurisdiction (optionally: with this
    role, in this org unit (code), inside this territory code). Each carries `visible_assignments`: only
    those assignments the viewer may see."""
    visible = scope_for(user, Assignment.objects.filter(active=True), "territory_code")
    matching = visible
    if role:
        matching = matching.filter(role=role)
    if org_unit:
        matching = matching.filter(org_unit__code=org_unit)
    if territory:
        matching = matching.filter(territory_code__startswith=territory)
    return (
        User.objects.filter(pk__in=matching.values("user_id"))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=visible.select_related("org_unit", "reports_to").order_by("id"),
                to_attr="visible_assignments",
            )
        )
        .order_by("username")
    )


def get_person_for(user: User | AnonymousUser, username: str) -> User:
    person = people_visible_to(user).filter(username=username).first()
    if person is None:
        raise NotFound()
    return person
