"""factory-boy factories for tests: users, org units and role assignments with sensible defaults, found
again by their natural key (a second call with the same username or code returns the same row)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory, Password

from accounts.models import Assignment, OrgUnit, Role, User

PASSWORD = "zhili-test-2026"  # noqa: S105 (test personas only)


class OrgUnitFactory(DjangoModelFactory[OrgUnit]):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"320507003-unit{n}")
    name = factory.LazyAttribute(lambda unit: f"测试单位 {unit.code}")
    kind = OrgUnit.Kind.AGENCY
    territory_code = "320507003"
    parent = None


class UserFactory(DjangoModelFactory[User]):
    """A person with the test password; `system=True` gives the system account (no password,
    `is_system`), which scheduled jobs and seeders act as."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    class Params:
        system = factory.Trait(is_system=True, password=Password(None), display_name="系统")

    username = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.LazyAttribute(lambda user: user.username)
    password = Password(PASSWORD)


class AssignmentFactory(DjangoModelFactory[Assignment]):
    """A role in a unit; its territory is the unit's unless given."""

    class Meta:
        model = Assignment
        django_get_or_create = ("user", "org_unit", "role", "territory_code")

    user = factory.SubFactory(UserFactory)
    org_unit = factory.SubFactory(OrgUnitFactory)
    role = Role.AGENCY_STAFF
    territory_code = factory.LazyAttribute(lambda assignment: assignment.org_unit.territory_code)
